package io.strongroom.core.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
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
 *   [‖ int32 items then per item, in request order: str operation ‖ str key ‖ int32 keyVersion
 *      ‖ context (as above) ‖ str outcome ‖ str errorCode]      only when the record has items
 * </pre>
 *
 * <p>Only a batch request's record has items; every other record ends at {@code source}, so records
 * without items encode exactly as before items existed. The encoding stays unambiguous: every field
 * is length-prefixed, and a record with items has at least the four bytes of their count more.
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
    Out out = new Out();
    out.bytes(LABEL);
    out.i64(seq);
    out.i64(e.time().toEpochMilli());
    out.str(e.requestId());
    out.str(e.tenant());
    out.str(e.principal());
    out.str(e.operation());
    out.str(e.key());
    out.i32(e.keyVersion() == null ? -1 : e.keyVersion());
    context(out, e.context());
    out.str(e.outcome());
    out.str(e.errorCode());
    out.str(e.source());
    if (e.items() != null) {
      out.i32(e.items().size());
      for (AuditItem item : e.items()) {
        out.str(item.operation());
        out.str(item.key());
        out.i32(item.keyVersion() == null ? -1 : item.keyVersion());
        context(out, item.context());
        out.str(item.outcome());
        out.str(item.errorCode());
      }
    }
    return out.toByteArray();
  }

  private static void context(Out out, Map<String, String> context) {
    if (context == null) {
      out.i32(-1);
      return;
    }
    out.i32(context.size());
    for (Map.Entry<String, String> c : context.entrySet()) {
      out.str(c.getKey());
      out.str(c.getValue());
    }
  }

  /** A growable big-endian byte buffer for {@link #encode}, one per record, so unsynchronized. */
  private static final class Out {
    private byte[] buf = new byte[256];
    private int n;

    private void ensure(int more) {
      if (n + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
      }
    }

    void bytes(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, n, b.length);
      n += b.length;
    }

    void i32(int v) {
      ensure(4);
      buf[n++] = (byte) (v >>> 24);
      buf[n++] = (byte) (v >>> 16);
      buf[n++] = (byte) (v >>> 8);
      buf[n++] = (byte) v;
    }

    void i64(long v) {
      i32((int) (v >>> 32));
      i32((int) v);
    }

    void str(String s) {
      if (s == null) {
        i32(-1);
        return;
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      i32(b.length);
      bytes(b);
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, n);
    }
  }
}
