package io.strongroom.core.custody;

import io.strongroom.core.ProtectionLevel;
import java.security.GeneralSecurityException;

/**
 * A backend that holds key-version material and encrypts with it. Shaped for every custodian:
 *
 * <ul>
 *   <li>SOFTWARE: material random in memory, stored wrapped by the root key;
 *   <li>HSM (PKCS#11): material generated in the token and never leaves it; calls block and
 *       sessions are scarce;
 *   <li>EXTERNAL (e.g. AWS KMS): a remote key; its own opaque ciphertext; calls are slow and can
 *       fail.
 * </ul>
 *
 * The {@code stored} bytes are whatever {@link #createVersion} returned, persisted by the key
 * store: wrapped material, an object handle or a key reference, never plaintext material. The
 * payloads returned by {@link #encrypt} are opaque to the caller and carried inside a {@link
 * io.strongroom.core.crypto.CiphertextBlob}.
 *
 * <p>Every method may block. Crypto failures (wrong key, tampering, wrong additional data) are
 * {@link GeneralSecurityException}; an unreachable backend throws {@link
 * io.strongroom.core.KmsException} with code UNAVAILABLE. Implementations are thread-safe.
 */
public interface KeyCustodian {
  ProtectionLevel protection();

  /** Creates material for a new version and returns its stored form. */
  byte[] createVersion(VersionRef ref) throws GeneralSecurityException;

  /** Encrypts {@code plaintext} under the version, authenticating {@code aad}. */
  byte[] encrypt(VersionRef ref, byte[] stored, byte[] plaintext, byte[] aad)
      throws GeneralSecurityException;

  /**
   * Decrypts a payload made by {@link #encrypt} for the same version and {@code aad}.
   *
   * @throws GeneralSecurityException whatever the reason it does not decrypt
   */
  byte[] decrypt(VersionRef ref, byte[] stored, byte[] payload, byte[] aad)
      throws GeneralSecurityException;

  /** Deletes the version's material where the custodian holds it, and forgets cached copies. */
  void destroyVersion(VersionRef ref, byte[] stored) throws GeneralSecurityException;

  /** Throws when the custodian cannot serve now. */
  default void checkHealth() throws GeneralSecurityException {}

  /**
   * Opens a scope for a run of calls from this thread (a batch's items): a custodian whose calls
   * each take a scarce resource (an HSM session) may keep the one its first call took until the
   * scope closes, instead of giving it back and queueing for it again at every call. Scopes do not
   * nest: inside one, a second is a no-op. The default keeps nothing.
   */
  default Scope keepResources() {
    return Scope.NONE;
  }

  /** What {@link #keepResources} opened; closing gives back what was kept. */
  @FunctionalInterface
  interface Scope extends AutoCloseable {
    Scope NONE = () -> {};

    @Override
    void close();
  }
}
