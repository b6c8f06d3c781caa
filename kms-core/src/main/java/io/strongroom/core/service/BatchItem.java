package io.strongroom.core.service;

import java.util.Map;

/** One item of a batch request. */
public sealed interface BatchItem {
  /** Key name the item names, for the audit record; null when the blob names it. */
  String keyName();

  Map<String, String> context();

  @SuppressWarnings("ArrayRecordComponent")
  record Encrypt(String keyName, byte[] plaintext, Map<String, String> context)
      implements BatchItem {}

  record GenerateDataKey(
      String keyName, Integer bytes, Map<String, String> context, boolean includePlaintext)
      implements BatchItem {}

  @SuppressWarnings("ArrayRecordComponent")
  record Decrypt(byte[] ciphertext, Map<String, String> context) implements BatchItem {
    @Override
    public String keyName() {
      return null;
    }
  }

  @SuppressWarnings("ArrayRecordComponent")
  record ReEncrypt(
      byte[] ciphertext,
      Map<String, String> context,
      String destinationKey,
      Map<String, String> destinationContext)
      implements BatchItem {
    @Override
    public String keyName() {
      return destinationKey;
    }
  }
}
