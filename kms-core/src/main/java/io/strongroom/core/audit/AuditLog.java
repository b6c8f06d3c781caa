package io.strongroom.core.audit;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The append-only, hash-chained audit log. Appends from any number of nodes form one chain. */
public interface AuditLog {
  /**
   * Appends events in order, chained with {@link AuditChain}. The future completes once the records
   * are durable (implementations may group-commit concurrent appends), or exceptionally with a
   * KmsException UNAVAILABLE.
   */
  CompletableFuture<Void> append(List<AuditEvent> events);

  /**
   * Up to {@code limit} records of one tenant with seq greater than {@code afterSeq}, by seq. A
   * store may return fewer, but at least one while any is left, to bound the size of a page of
   * large records (batches, large contexts).
   */
  List<AuditRecord> list(String tenant, long afterSeq, int limit);

  /**
   * Up to {@code limit} records of all tenants with seq greater than {@code afterSeq}, by seq; as
   * {@link #list}, possibly fewer but at least one while any is left.
   */
  List<AuditRecord> scan(long afterSeq, int limit);

  /** The chain head: last seq and mac as recorded when it was appended. */
  Optional<Head> head();

  /** The chain's last position. */
  record Head(long seq, byte[] mac) {
    public Head {
      mac = mac.clone();
    }

    @Override
    public byte[] mac() {
      return mac.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Head h && h.seq == seq && java.util.Arrays.equals(h.mac, mac);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(seq);
    }
  }
}
