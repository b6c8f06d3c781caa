package io.strongroom.hsm;

import io.strongroom.core.custody.RootKey;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The deployment's root key as an AES-256 token object in a PKCS#11 token (sensitive,
 * non-extractable, found again by its label at every start). Wrapping is AES-256-GCM inside the
 * token, the caller's additional data as AAD.
 *
 * <p>Wrapped format: {@code 0x11 ‖ 12-byte random IV ‖ ciphertext ‖ 16-byte tag}. The first byte
 * differs from the local file root key's {@code 0x01}, so a value wrapped by the other root is
 * refused at once.
 *
 * <p>The key is created only on request ({@link #create}), never because a lookup found nothing: a
 * token that is failing can look empty, and a new root key would silently strand everything the old
 * one wrapped.
 */
public final class Pkcs11RootKey implements RootKey {
  static final byte FORMAT = 0x11;

  private final Pkcs11Token token;
  private final String label;

  private Pkcs11RootKey(Pkcs11Token token, String label) {
    this.token = token;
    this.label = label;
  }

  /**
   * The root key labelled {@code label} in the token.
   *
   * @throws Pkcs11Exception when the token holds no such key (create it first)
   */
  public static Pkcs11RootKey open(Pkcs11Token token, String label)
      throws Pkcs11Exception, GeneralSecurityException {
    if (!token.exists(label)) {
      throw new Pkcs11Exception(
          "no root key labelled '"
              + label
              + "' in "
              + token.describe()
              + "; create it once with --pkcs11-init --root-key pkcs11",
          null);
    }
    return new Pkcs11RootKey(token, label);
  }

  /**
   * Generates the root key in the token.
   *
   * @throws io.strongroom.core.KmsException ALREADY_EXISTS when a key with that label exists
   */
  public static Pkcs11RootKey create(Pkcs11Token token, String label)
      throws GeneralSecurityException {
    token.createKey(label);
    return new Pkcs11RootKey(token, label);
  }

  @Override
  public String describe() {
    return "AES-256 key '" + label + "' in " + token.describe();
  }

  @Override
  public byte[] wrap(byte[] plaintext, byte[] aad) throws GeneralSecurityException {
    byte[] body = token.encrypt(label, plaintext, aad);
    byte[] out = new byte[1 + body.length];
    out[0] = FORMAT;
    System.arraycopy(body, 0, out, 1, body.length);
    return out;
  }

  @Override
  public byte[] unwrap(byte[] wrapped, byte[] aad) throws GeneralSecurityException {
    if (wrapped.length < 1 + Pkcs11Token.overhead() || wrapped[0] != FORMAT) {
      throw new GeneralSecurityException("not wrapped by a PKCS#11 root key");
    }
    return token.decrypt(label, Arrays.copyOfRange(wrapped, 1, wrapped.length), aad);
  }

  @Override
  public void checkHealth() {
    token.checkHealth();
  }
}
