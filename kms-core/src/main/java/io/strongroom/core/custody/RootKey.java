package io.strongroom.core.custody;

import java.security.GeneralSecurityException;

/**
 * The deployment's root key: wraps SOFTWARE key-version material, the audit key and other stored
 * secrets. Implementations: a local file (development only), a PKCS#11 token key, an AWS KMS key.
 * Calls may block (HSM, network); callers never make them on an event loop.
 */
public interface RootKey {
  /** A human-readable description for logs and readiness, never secret. */
  String describe();

  /** Encrypts {@code plaintext} bound to {@code aad}; the result is self-contained. */
  byte[] wrap(byte[] plaintext, byte[] aad) throws GeneralSecurityException;

  /**
   * @throws GeneralSecurityException when {@code wrapped} was not made by this root key with this
   *     {@code aad}
   */
  byte[] unwrap(byte[] wrapped, byte[] aad) throws GeneralSecurityException;

  /** Checks the custodian can serve (e.g. a token is present); throws when it cannot. */
  default void checkHealth() throws GeneralSecurityException {}
}
