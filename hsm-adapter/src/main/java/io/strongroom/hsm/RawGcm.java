package io.strongroom.hsm;

import java.nio.file.Path;

/**
 * The PKCS#11 calls that {@link Pkcs11Token} makes for one AES-256-GCM operation, and nothing else:
 * no session limit, metrics, reconnection or failure handling. For the benchmark that sets the
 * server's HSM path beside them ({@code bench/run.sh hsm}). The application must be logged in to
 * the token already (for example through SunPKCS11's key store); sessions are opened as needed.
 */
public final class RawGcm {
  private final Wrapper.Gcm gcm;
  private final long key;

  private RawGcm(Wrapper.Gcm gcm, long key) {
    this.gcm = gcm;
    this.key = key;
  }

  /**
   * For the secret key labelled {@code label} in the token in {@code slot}.
   *
   * @throws Pkcs11Exception when the wrapper cannot be used or no single key has that label
   */
  public static RawGcm open(Path library, long slot, String label) throws Exception {
    Wrapper.Gcm gcm = Wrapper.Gcm.open(library, slot);
    long[] found = gcm.find(label);
    if (found.length != 1) {
      throw new Pkcs11Exception(found.length + " secret keys are labelled " + label, null);
    }
    return new RawGcm(gcm, found[0]);
  }

  /**
   * {@code C_EncryptInit} (IV and AAD in the mechanism) and {@code C_Encrypt}: ciphertext ‖ tag.
   */
  public byte[] encrypt(byte[] iv, byte[] aad, byte[] plaintext) throws Exception {
    return gcm.encrypt(key, iv, aad, plaintext);
  }

  /** {@code C_DecryptInit} and {@code C_Decrypt} of ciphertext ‖ tag. */
  public byte[] decrypt(byte[] iv, byte[] aad, byte[] ciphertext) throws Exception {
    return gcm.decrypt(key, iv, aad, ciphertext, 0, ciphertext.length);
  }
}
