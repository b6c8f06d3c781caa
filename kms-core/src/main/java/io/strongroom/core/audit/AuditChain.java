package io.strongroom.core.audit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed hash chain over audit records: {@code mac(n) = HMAC-SHA-256(auditKey, mac(n-1) ‖
 * encode(record n))} with {@code mac(0)} = 32 zero bytes. The audit key is random, stored wrapped
 * by the root key. Without the key nobody can recompute a chain, so an edit, deletion or reorder of
 * stored records is detected by {@link #verify}.
 *
 * <p>Record encoding, integers big-endian; {@code str} is int32 length (-1 for null) then UTF-8:
 *
 * <pre>
 * "strongroom/audit/v1" 0x00 ‖ int64 seq ‖ int64 epoch millis ‖ str requestId ‖ str tenant
 *   ‖ str principal ‖ str operation ‖ str key ‖ int32 keyVersion (-1 for null)
 *   ‖ int32 context entries (-1 for null) then per entry, sorted by key: str key ‖ str value
 *   ‖ str outcome ‖ str errorCode ‖ str source
 * </pre>
 */
public final class AuditChain {
  public static final int MAC_BYTES = 32;
  private static final byte[] LABEL = "strongroom/audit/v1\0".getBytes(StandardCharsets.US_ASCII);

  private final SecretKeySpec key;

  /**
   * One initialised HMAC per thread: {@code Mac.getInstance} and {@code init} cost more than the
   * HMAC of a record, and {@code doFinal} leaves the Mac ready for the next record.
   */
  private final ThreadLocal<Mac> macs;

  /**
   * @param auditKey 32 bytes; copied
   */
  public AuditChain(byte[] auditKey) {
    if (auditKey.length != 32) {
      throw new IllegalArgumentException("audit key must be 32 bytes");
    }
    this.key = new SecretKeySpec(auditKey, "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException ex) {
      throw new IllegalStateException("HmacSHA256 unavailable", ex);
    }
  }

  public static byte[] genesis() {
    return new byte[MAC_BYTES];
  }

  /** The mac of record {@code seq} given the previous record's mac. */
  public byte[] mac(byte[] previousMac, long seq, AuditEvent e) {
    Mac mac = macs.get();
    mac.update(previousMac);
    mac.update(encode(seq, e));
    return mac.doFinal();
  }

  /** The outcome of a verification. {@code firstBadSeq} is null when the chain is intact. */
  public record Verification(boolean ok, long records, Long firstBadSeq, String reason) {}

  /**
   * Walks the whole chain in pages and recomputes every mac.
   *
   * @param pageSize records read per call to {@link AuditLog#scan}
   */
  public Verification verify(AuditLog log, int pageSize) {
    byte[] prev = genesis();
    long expectedSeq = 1;
    long count = 0;
    while (true) {
      List<AuditRecord> page = log.scan(expectedSeq - 1, pageSize);
      if (page.isEmpty()) {
        break;
      }
      for (AuditRecord r : page) {
        if (r.seq() != expectedSeq) {
          return new Verification(
              false, count, expectedSeq, "record " + expectedSeq + " is missing");
        }
        if (!MessageDigest.isEqual(mac(prev, r.seq(), r.event()), r.mac())) {
          return new Verification(
              false, count, r.seq(), "record " + r.seq() + " was altered or moved");
        }
        prev = r.mac();
        expectedSeq++;
        count++;
      }
    }
    var head = log.head();
    long headSeq = head.map(AuditLog.Head::seq).orElse(0L);
    if (headSeq != count) {
      return new Verification(
          false,
          count,
          count + 1,
          "the chain head names record " + headSeq + " but the log ends at " + count);
    }
    if (head.isPresent() && !MessageDigest.isEqual(head.get().mac(), prev)) {
      return new Verification(
          false, count, headSeq, "the chain head does not match record " + headSeq);
    }
    return new Verification(true, count, null, null);
  }

  static byte[] encode(long seq, AuditEvent e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.writeBytes(LABEL);
    out.writeBytes(ByteBuffer.allocate(16).putLong(seq).putLong(e.time().toEpochMilli()).array());
    str(out, e.requestId());
    str(out, e.tenant());
    str(out, e.principal());
    str(out, e.operation());
    str(out, e.key());
    i32(out, e.keyVersion() == null ? -1 : e.keyVersion());
    if (e.context() == null) {
      i32(out, -1);
    } else {
      i32(out, e.context().size());
      for (Map.Entry<String, String> c : e.context().entrySet()) {
        str(out, c.getKey());
        str(out, c.getValue());
      }
    }
    str(out, e.outcome());
    str(out, e.errorCode());
    str(out, e.source());
    return out.toByteArray();
  }

  private static void str(ByteArrayOutputStream out, String s) {
    if (s == null) {
      i32(out, -1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    i32(out, b.length);
    out.writeBytes(b);
  }

  private static void i32(ByteArrayOutputStream out, int v) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
  }
}
