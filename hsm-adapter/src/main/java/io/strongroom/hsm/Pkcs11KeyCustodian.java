package io.strongroom.hsm;

import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.custody.KeyCustodian;
import io.strongroom.core.custody.VersionRef;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Protection level HSM: every key version is an AES-256 key generated inside a PKCS#11 token as a
 * sensitive, non-extractable token object, and every encryption and decryption with it (the wrap
 * and unwrap of data keys) is AES-256-GCM computed inside the token. The blob's associated data
 * (tenant, blob header, encryption context; see {@code CiphertextBlob}) is GCM's AAD, so the
 * context stays bound exactly as for SOFTWARE keys.
 *
 * <p><b>Stored form</b> (what the key store keeps; a handle, never material): {@code 0x01 ‖
 * CKA_LABEL (ASCII)}, the label being {@code sr-<key id>-v<version>-<16 random hex>}. The label
 * names its key and version, and a stored form whose label names another version is refused, so a
 * handle copied between rows in the database cannot make one version use another's key. The random
 * suffix keeps labels unique even if two nodes race or a version number is reused after a failed
 * create.
 *
 * <p><b>Payload</b> (inside the blob): {@code 0x01 ‖ 12-byte random IV ‖ ciphertext ‖ 16-byte tag}.
 * Random 96-bit IVs bound a version to 2^32 encryptions (NIST SP 800-38D); rotation by usage keeps
 * versions far below that (docs/HSM.md).
 */
public final class Pkcs11KeyCustodian implements KeyCustodian {
  static final byte STORED_FORMAT = 0x01;
  static final byte PAYLOAD_FORMAT = 0x01;

  private final Pkcs11Token token;
  private final SecureRandom random = new SecureRandom();

  public Pkcs11KeyCustodian(Pkcs11Token token) {
    this.token = token;
  }

  @Override
  public ProtectionLevel protection() {
    return ProtectionLevel.HSM;
  }

  @Override
  public byte[] createVersion(VersionRef ref) throws GeneralSecurityException {
    byte[] suffix = new byte[8];
    random.nextBytes(suffix);
    String label = prefix(ref) + HexFormat.of().formatHex(suffix);
    token.createKey(label);
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    byte[] stored = new byte[1 + l.length];
    stored[0] = STORED_FORMAT;
    System.arraycopy(l, 0, stored, 1, l.length);
    return stored;
  }

  @Override
  public byte[] encrypt(VersionRef ref, byte[] stored, byte[] plaintext, byte[] aad)
      throws GeneralSecurityException {
    byte[] body = token.encrypt(label(ref, stored), plaintext, aad);
    byte[] out = new byte[1 + body.length];
    out[0] = PAYLOAD_FORMAT;
    System.arraycopy(body, 0, out, 1, body.length);
    return out;
  }

  @Override
  public byte[] decrypt(VersionRef ref, byte[] stored, byte[] payload, byte[] aad)
      throws GeneralSecurityException {
    if (payload.length < 1 + Pkcs11Token.overhead() || payload[0] != PAYLOAD_FORMAT) {
      throw new GeneralSecurityException("not an HSM payload");
    }
    return token.decrypt(
        label(ref, stored), java.util.Arrays.copyOfRange(payload, 1, payload.length), aad);
  }

  @Override
  public void destroyVersion(VersionRef ref, byte[] stored) throws GeneralSecurityException {
    token.deleteKey(label(ref, stored));
  }

  @Override
  public void checkHealth() {
    token.checkHealth();
  }

  @Override
  public Scope keepResources() {
    return token.keepSession();
  }

  /** The label of {@code stored}, which must name {@code ref}'s key and version. */
  static String label(VersionRef ref, byte[] stored) throws GeneralSecurityException {
    if (stored.length < 2 || stored[0] != STORED_FORMAT) {
      throw new GeneralSecurityException("not an HSM key handle");
    }
    String label = new String(stored, 1, stored.length - 1, StandardCharsets.US_ASCII);
    if (!label.startsWith(prefix(ref))) {
      throw new GeneralSecurityException("the HSM key handle belongs to another key version");
    }
    return label;
  }

  private static String prefix(VersionRef ref) {
    return "sr-" + ref.keyId() + "-v" + ref.version() + "-";
  }
}
