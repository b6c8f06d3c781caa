package io.strongroom.core.service;

/** Results of the cryptographic use cases. Byte arrays are owned by the caller. */
public final class CryptoResults {
  private CryptoResults() {}

  /** A new blob and the key version that made it. */
  @SuppressWarnings("ArrayRecordComponent")
  public record Encrypted(byte[] ciphertext, String key, int keyVersion) {}

  /** A data key: its blob and, when asked for, its plaintext. */
  @SuppressWarnings("ArrayRecordComponent")
  public record DataKey(byte[] ciphertext, byte[] plaintext, String key, int keyVersion) {
    @Override
    public String toString() {
      return "DataKey[" + key + " v" + keyVersion + ", plaintext REDACTED]";
    }
  }

  /** A decrypted plaintext and the key version that decrypted it. */
  @SuppressWarnings("ArrayRecordComponent")
  public record Decrypted(byte[] plaintext, String key, int keyVersion) {
    @Override
    public String toString() {
      return "Decrypted[" + key + " v" + keyVersion + ", plaintext REDACTED]";
    }
  }

  /** A re-encrypted blob, naming both the source and the destination version. */
  @SuppressWarnings("ArrayRecordComponent")
  public record ReEncrypted(
      byte[] ciphertext, String key, int keyVersion, String sourceKey, int sourceKeyVersion) {}
}
