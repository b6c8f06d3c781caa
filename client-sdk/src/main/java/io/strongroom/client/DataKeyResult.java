package io.strongroom.client;

import java.util.Arrays;

/**
 * The result of {@link StrongroomClient#generateDataKey(String, String, int, java.util.Map,
 * boolean)}. {@link #toString()} never shows the plaintext key; {@link #zero()} overwrites it.
 *
 * @param plaintext the data key, or null when it was declined ({@code includePlaintext} false);
 *     owned by the caller, who should zero it once the data is encrypted
 * @param ciphertext the wrapped data key; store it next to the data
 * @param key the key's name
 * @param keyVersion the version that wrapped the data key
 */
@SuppressWarnings("ArrayRecordComponent") // secret bytes; compared by identity like arrays
public record DataKeyResult(byte[] plaintext, byte[] ciphertext, String key, int keyVersion) {
  /** Overwrites the plaintext data key (if any) with zeros. */
  public void zero() {
    if (plaintext != null) {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "DataKeyResult[key="
        + key
        + ", keyVersion="
        + keyVersion
        + ", plaintext "
        + (plaintext == null ? "absent" : "REDACTED")
        + ", ciphertext "
        + ciphertext.length
        + " bytes]";
  }
}
