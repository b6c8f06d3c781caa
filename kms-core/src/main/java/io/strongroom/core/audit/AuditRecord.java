package io.strongroom.core.audit;

/**
 * A stored audit event with its place in the chain.
 *
 * @param seq position, from 1, without gaps
 * @param mac HMAC-SHA-256 chaining this record to the previous one ({@link AuditChain})
 */
public record AuditRecord(long seq, AuditEvent event, byte[] mac) {
  public AuditRecord {
    mac = mac.clone();
  }

  @Override
  public byte[] mac() {
    return mac.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AuditRecord r
        && r.seq == seq
        && r.event.equals(event)
        && java.util.Arrays.equals(r.mac, mac);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seq);
  }

  @Override
  public String toString() {
    return "AuditRecord[" + seq + ", " + event + "]";
  }
}
