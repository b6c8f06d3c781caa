package io.strongroom.core.crypto;

import io.strongroom.core.KmsException;
import io.strongroom.core.ProtectionLevel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The self-describing ciphertext that encrypt and generate-data-key return and decrypt takes.
 *
 * <p>Format version 1, all integers big-endian:
 *
 * <pre>
 * offset  size  field
 *  0       1    format version, 0x01
 *  1      16    key id (the 128-bit random id of the tenant's key)
 * 17       4    key version number, unsigned, ≥ 1
 * 21       1    protection level of that version: 0x01 SOFTWARE, 0x02 HSM, 0x03 EXTERNAL
 * 22       n    custodian payload, opaque here, n ≥ 1 (for SOFTWARE: XAES-256-GCM,
 *               12-byte salt ‖ 12-byte nonce ‖ ciphertext ‖ 16-byte tag)
 * </pre>
 *
 * The custodian authenticates the payload with additional data ({@link #aad}):
 *
 * <pre>
 * "strongroom/blob/v1" ‖ 0x00 ‖ uint16 tenant length ‖ tenant (UTF-8) ‖ header (bytes 0..21)
 *   ‖ canonical encryption context ({@link EncryptionContext})
 * </pre>
 *
 * so a blob is bound to its tenant, its header and its context: changing any of them, or any
 * payload byte, makes decryption fail.
 */
public final class CiphertextBlob {
  public static final byte FORMAT_V1 = 0x01;
  public static final int HEADER_LENGTH = 22;

  /** Largest blob accepted: 64 KiB of plaintext plus generous custodian overhead. */
  public static final int MAX_LENGTH = 64 * 1024 + 4096;

  private static final byte[] AAD_LABEL =
      "strongroom/blob/v1\0".getBytes(StandardCharsets.US_ASCII);

  private final byte[] keyId;
  private final int version;
  private final ProtectionLevel protection;
  private final byte[] payload;

  private CiphertextBlob(byte[] keyId, int version, ProtectionLevel protection, byte[] payload) {
    this.keyId = keyId;
    this.version = version;
    this.protection = protection;
    this.payload = payload;
  }

  public static CiphertextBlob of(
      String keyIdHex, int version, ProtectionLevel protection, byte[] payload) {
    if (version < 1 || payload.length == 0) {
      throw new IllegalArgumentException("version must be ≥ 1 and payload non-empty");
    }
    return new CiphertextBlob(
        HexFormat.of().parseHex(keyIdHex), version, protection, payload.clone());
  }

  /**
   * Parses a blob's framing. Authenticity is checked only when the custodian decrypts.
   *
   * @throws KmsException INVALID_CIPHERTEXT for any malformed input
   */
  public static CiphertextBlob parse(byte[] blob) {
    if (blob == null
        || blob.length <= HEADER_LENGTH
        || blob.length > MAX_LENGTH
        || blob[0] != FORMAT_V1) {
      throw KmsException.invalidCiphertext();
    }
    ByteBuffer b = ByteBuffer.wrap(blob);
    b.get();
    byte[] keyId = new byte[16];
    b.get(keyId);
    int version = b.getInt();
    ProtectionLevel protection =
        switch (b.get()) {
          case 0x01 -> ProtectionLevel.SOFTWARE;
          case 0x02 -> ProtectionLevel.HSM;
          case 0x03 -> ProtectionLevel.EXTERNAL;
          default -> throw KmsException.invalidCiphertext();
        };
    if (version < 1) {
      throw KmsException.invalidCiphertext();
    }
    byte[] payload = new byte[b.remaining()];
    b.get(payload);
    return new CiphertextBlob(keyId, version, protection, payload);
  }

  public String keyIdHex() {
    return HexFormat.of().formatHex(keyId);
  }

  public int version() {
    return version;
  }

  public ProtectionLevel protection() {
    return protection;
  }

  public byte[] payload() {
    return payload.clone();
  }

  /** The serialized blob. */
  public byte[] toBytes() {
    return ByteBuffer.allocate(HEADER_LENGTH + payload.length).put(header()).put(payload).array();
  }

  /** The additional authenticated data the custodian binds to the payload. */
  public byte[] aad(String tenant, EncryptionContext context) {
    return aad(tenant, header(keyId, version, protection), context);
  }

  /** The additional authenticated data for a blob that is about to be made. */
  public static byte[] aadFor(
      String tenant,
      String keyIdHex,
      int version,
      ProtectionLevel protection,
      EncryptionContext context) {
    return aad(tenant, header(HexFormat.of().parseHex(keyIdHex), version, protection), context);
  }

  private static byte[] aad(String tenant, byte[] header, EncryptionContext context) {
    byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b =
        ByteBuffer.allocate(
            AAD_LABEL.length + 2 + t.length + HEADER_LENGTH + context.canonicalLength());
    b.put(AAD_LABEL).putShort((short) t.length).put(t).put(header);
    context.writeCanonical(b);
    return b.array();
  }

  private byte[] header() {
    return header(keyId, version, protection);
  }

  private static byte[] header(byte[] keyId, int version, ProtectionLevel protection) {
    return ByteBuffer.allocate(HEADER_LENGTH)
        .put(FORMAT_V1)
        .put(keyId)
        .putInt(version)
        .put(code(protection))
        .array();
  }

  private static byte code(ProtectionLevel p) {
    return switch (p) {
      case SOFTWARE -> 0x01;
      case HSM -> 0x02;
      case EXTERNAL -> 0x03;
    };
  }
}
