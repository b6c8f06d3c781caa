package io.strongroom.client;

import io.strongroom.api.CryptoMessages.BatchItem;
import java.util.Base64;
import java.util.Map;

/**
 * Builds the items of {@link StrongroomClient#batch(String, java.util.List)} from bytes (they are
 * base64-encoded here). Each {@link io.strongroom.api.CryptoMessages.BatchResult} then carries
 * either its result fields or an {@code error}; {@link StrongroomException#of} turns that error
 * into the typed exception.
 */
public final class BatchItems {
  private BatchItems() {}

  /** An encrypt item: {@code plaintext} under {@code key}'s primary version. */
  public static BatchItem encrypt(String key, byte[] plaintext, Map<String, String> context) {
    return new BatchItem("encrypt", key, b64(plaintext), null, context, null, null, null, null);
  }

  /** A decrypt item. */
  public static BatchItem decrypt(byte[] ciphertext, Map<String, String> context) {
    return new BatchItem("decrypt", null, null, b64(ciphertext), context, null, null, null, null);
  }

  /** A generate-data-key item of {@code bytes} bytes (16–64). */
  public static BatchItem generateDataKey(
      String key, int bytes, Map<String, String> context, boolean includePlaintext) {
    return new BatchItem(
        "generate-data-key", key, null, null, context, bytes, includePlaintext, null, null);
  }

  /**
   * A re-encrypt item; {@code destinationKey} and {@code destinationContext} may be null for the
   * same key and context.
   */
  public static BatchItem reEncrypt(
      byte[] ciphertext,
      Map<String, String> context,
      String destinationKey,
      Map<String, String> destinationContext) {
    return new BatchItem(
        "re-encrypt",
        null,
        null,
        b64(ciphertext),
        context,
        null,
        null,
        destinationKey,
        destinationContext);
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
