package io.strongroom.client;

/**
 * The result of {@link StrongroomClient#encrypt(String, String, byte[], java.util.Map)}.
 *
 * @param ciphertext the self-describing blob (it names the key version); store it as is
 * @param key the key's name
 * @param keyVersion the version that encrypted
 */
@SuppressWarnings("ArrayRecordComponent") // a byte string; compared by identity like arrays
public record EncryptResult(byte[] ciphertext, String key, int keyVersion) {
  @Override
  public String toString() {
    return "EncryptResult[key="
        + key
        + ", keyVersion="
        + keyVersion
        + ", ciphertext "
        + ciphertext.length
        + " bytes]";
  }
}
