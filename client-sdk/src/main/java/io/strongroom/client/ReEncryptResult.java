package io.strongroom.client;

/**
 * The result of {@link StrongroomClient#reEncrypt(String, byte[], java.util.Map, String,
 * java.util.Map)}.
 *
 * @param ciphertext the new blob
 * @param key the key that encrypted it
 * @param keyVersion the version that encrypted it
 * @param sourceKey the key the old blob named
 * @param sourceKeyVersion the version the old blob named
 */
@SuppressWarnings("ArrayRecordComponent") // a byte string; compared by identity like arrays
public record ReEncryptResult(
    byte[] ciphertext, String key, int keyVersion, String sourceKey, int sourceKeyVersion) {
  @Override
  public String toString() {
    return "ReEncryptResult[key="
        + key
        + ", keyVersion="
        + keyVersion
        + ", sourceKey="
        + sourceKey
        + ", sourceKeyVersion="
        + sourceKeyVersion
        + ", ciphertext "
        + ciphertext.length
        + " bytes]";
  }
}
