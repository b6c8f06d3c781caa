package io.strongroom.client;

import java.util.Arrays;

/**
 * The result of {@link StrongroomClient#decrypt(String, byte[], java.util.Map)}. {@link
 * #toString()} never shows the plaintext; {@link #zero()} overwrites it when done.
 *
 * @param plaintext the decrypted bytes, owned by the caller
 * @param key the name of the key that decrypted
 * @param keyVersion the version that decrypted
 */
@SuppressWarnings("ArrayRecordComponent") // secret bytes; compared by identity like arrays
public record DecryptResult(byte[] plaintext, String key, int keyVersion) {
  /** Overwrites the plaintext with zeros. */
  public void zero() {
    Arrays.fill(plaintext, (byte) 0);
  }

  @Override
  public String toString() {
    return "DecryptResult[key=" + key + ", keyVersion=" + keyVersion + ", plaintext REDACTED]";
  }
}
