package io.strongroom.server.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.audit.AuditEvent;
import io.strongroom.core.audit.AuditItem;
import io.strongroom.core.audit.AuditLog;
import io.strongroom.core.audit.AuditRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log over JDBC with group commit. Appends are queued; one writer thread takes every
 * append that is waiting (up to {@value #MAX_GROUP} events), and in one transaction locks the chain
 * head row (so appends from every node form one chain), chains and inserts the records, moves the
 * head and commits. The lock is taken by moving the head on condition that it is still the one this
 * writer committed last, and by {@code SELECT … FOR UPDATE} when it is not. A batch's record counts
 * as one event per item towards that limit. Each append's future completes only after that commit,
 * so an acknowledged operation's record is durable before the response.
 */
public final class JdbcAuditLog implements AuditLog, AutoCloseable, MeterBinder {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcAuditLog.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);
  private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {};
  private static final TypeReference<List<AuditItem>> ITEMS = new TypeReference<>() {};
  static final int MAX_GROUP = 4096;
  private static final int QUEUE_CAPACITY = 65_536;

  private record Pending(List<AuditEvent> events, CompletableFuture<Void> done) {}

  private final Database db;
  private final AuditChain chain;
  private final long pageTextBytes;
  private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final Thread writer;
  private final Object admission = new Object();
  private volatile boolean running = true;
  private volatile GroupMeters meters;

  private record GroupMeters(DistributionSummary records, Timer commits) {}

  /**
   * The head this writer committed last (writer thread only); null until read or after a failure.
   */
  private Head knownHead;

  public JdbcAuditLog(Database db, AuditChain chain) {
    this(db, chain, PAGE_TEXT_BYTES);
  }

  /**
   * @param pageTextBytes text (contexts and items) read per page at most, give or take one record
   */
  JdbcAuditLog(Database db, AuditChain chain, long pageTextBytes) {
    this.db = db;
    this.chain = chain;
    this.pageTextBytes = pageTextBytes;
    ensureHead();
    this.writer = Thread.ofPlatform().name("audit-writer").daemon().start(this::writeLoop);
  }

  private void ensureHead() {
    try {
      db.update(
          "INSERT INTO audit_head (id, seq, mac) VALUES (1, 0, ?)",
          ps -> ps.setBytes(1, AuditChain.genesis()));
    } catch (KmsException e) {
      if (e.code() != ErrorCode.ALREADY_EXISTS) {
        throw e;
      }
    }
  }

  @Override
  public CompletableFuture<Void> append(List<AuditEvent> events) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (events.isEmpty()) {
      done.complete(null);
      return done;
    }
    Pending pending = new Pending(List.copyOf(events), done);
    boolean accepted;
    // With close() under the same lock: nothing is queued after the writer may have seen the last
    // of the queue, so every accepted append completes.
    synchronized (admission) {
      accepted = running && queue.offer(pending);
    }
    if (!accepted) {
      done.completeExceptionally(
          KmsException.unavailable("the audit log is not accepting records", null));
    }
    return done;
  }

  private void writeLoop() {
    List<Pending> group = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        int events = weight(first);
        while (events < MAX_GROUP) {
          Pending next = queue.poll();
          if (next == null) {
            break;
          }
          group.add(next);
          events += weight(next);
        }
        write(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        group.clear();
      }
    }
  }

  /** What an append weighs towards {@link #MAX_GROUP}: one per record, plus one per item. */
  private static int weight(Pending p) {
    int w = 0;
    for (AuditEvent e : p.events()) {
      w += e.items() == null ? 1 : 1 + e.items().size();
    }
    return w;
  }

  /**
   * Publishes the group commits: how many records each carried ({@code
   * strongroom_audit_group_records}) and how long each took to become durable ({@code
   * strongroom_audit_group_commit_seconds}).
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    meters =
        new GroupMeters(
            DistributionSummary.builder("strongroom.audit.group.records")
                .description("Audit records written per group commit")
                .register(registry),
            Timer.builder("strongroom.audit.group.commit")
                .description("Time from the start of a group commit to its records being durable")
                .register(registry));
  }

  private void write(List<Pending> group) {
    try {
      long start = System.nanoTime();
      int records = db.inTransaction(c -> appendLocked(c, group));
      GroupMeters m = meters;
      if (m != null) {
        m.records().record(records);
        m.commits().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      }
      group.forEach(p -> p.done().complete(null));
    } catch (RuntimeException e) {
      // the transaction rolled back (or its outcome is unknown): read the head again next time
      knownHead = null;
      LOG.error(
          "audit append failed; {} callers get UNAVAILABLE: {}", group.size(), e.getMessage());
      KmsException failure = KmsException.unavailable("the audit log is unavailable", e);
      group.forEach(p -> p.done().completeExceptionally(failure));
    }
  }

  /**
   * Chains the group's records onto the head and stores them. The head this writer committed last
   * is usually still the head, so the first statement moves it on condition that it is unchanged,
   * which also locks the row; only when another node (or an operator) has moved it since is it read
   * again under {@code FOR UPDATE} and the records chained anew.
   *
   * @return the number of records written
   */
  private int appendLocked(Connection c, List<Pending> group) throws SQLException {
    Head from = knownHead;
    byte[][] macs = null;
    if (from != null) {
      macs = chainOnto(from, group);
      if (moveHead(c, from, from.seq() + macs.length, macs[macs.length - 1]) == 0) {
        macs = null;
      }
    }
    if (macs == null) {
      from = lockHead(c);
      macs = chainOnto(from, group);
      moveHead(c, null, from.seq() + macs.length, macs[macs.length - 1]);
    }
    try (PreparedStatement ins =
        c.prepareStatement(
            "INSERT INTO audit_log (seq, at, request_id, tenant, principal, operation, key_name,"
                + " key_version, context, outcome, error_code, source, items, mac)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      long seq = from.seq();
      int i = 0;
      for (Pending p : group) {
        for (AuditEvent e : p.events()) {
          seq++;
          ins.setLong(1, seq);
          ins.setLong(2, e.time().toEpochMilli());
          ins.setString(3, e.requestId());
          ins.setString(4, e.tenant());
          ins.setString(5, e.principal());
          ins.setString(6, e.operation());
          ins.setString(7, e.key());
          if (e.keyVersion() == null) {
            ins.setNull(8, Types.INTEGER);
          } else {
            ins.setInt(8, e.keyVersion());
          }
          ins.setString(9, e.context() == null ? null : json(e.context()));
          ins.setString(10, e.outcome());
          ins.setString(11, e.errorCode());
          ins.setString(12, e.source());
          ins.setString(13, e.items() == null ? null : json(e.items()));
          ins.setBytes(14, macs[i++]);
          ins.addBatch();
        }
      }
      ins.executeBatch();
    }
    knownHead = new Head(from.seq() + macs.length, macs[macs.length - 1]);
    return macs.length;
  }

  /** The macs of the group's records, in order, chained onto {@code head}. */
  private byte[][] chainOnto(Head head, List<Pending> group) {
    int n = 0;
    for (Pending p : group) {
      n += p.events().size();
    }
    byte[][] macs = new byte[n][];
    long seq = head.seq();
    byte[] mac = head.mac();
    int i = 0;
    for (Pending p : group) {
      for (AuditEvent e : p.events()) {
        mac = chain.mac(mac, ++seq, e);
        macs[i++] = mac;
      }
    }
    return macs;
  }

  private static Head lockHead(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT seq, mac FROM audit_head WHERE id = 1 FOR UPDATE");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("audit head row is missing", "02000");
      }
      return new Head(rs.getLong(1), rs.getBytes(2));
    }
  }

  /**
   * Moves the head to {@code (seq, mac)}; if {@code expected} is given, only from there.
   *
   * @return the rows moved: 0 when the head is no longer {@code expected}
   */
  private static int moveHead(Connection c, Head expected, long seq, byte[] mac)
      throws SQLException {
    if (expected == null) {
      return Database.update(
          c,
          "UPDATE audit_head SET seq = ?, mac = ? WHERE id = 1",
          ps -> {
            ps.setLong(1, seq);
            ps.setBytes(2, mac);
          });
    }
    return Database.update(
        c,
        "UPDATE audit_head SET seq = ?, mac = ? WHERE id = 1 AND seq = ? AND mac = ?",
        ps -> {
          ps.setLong(1, seq);
          ps.setBytes(2, mac);
          ps.setLong(3, expected.seq());
          ps.setBytes(4, expected.mac());
        });
  }

  /**
   * Text (context and items) read per page at most, give or take one record: a page of records from
   * batches with large contexts could otherwise hold hundreds of megabytes. A page that would pass
   * it ends early, after at least one record; callers page on from its last record.
   */
  static final long PAGE_TEXT_BYTES = 4L << 20;

  @Override
  public List<AuditRecord> list(String tenant, long afterSeq, int limit) {
    return page(
        "tenant = ? AND seq > ?",
        ps -> {
          ps.setString(1, tenant);
          ps.setLong(2, afterSeq);
        },
        2,
        limit);
  }

  @Override
  public List<AuditRecord> scan(long afterSeq, int limit) {
    return page("seq > ?", ps -> ps.setLong(1, afterSeq), 1, limit);
  }

  /**
   * Up to {@code limit} records matching {@code where}, by seq, cut at {@code pageTextBytes}: first
   * the sizes of the candidates, then the records up to the last one that fits.
   *
   * @param params how many parameters {@code bind} sets
   */
  private List<AuditRecord> page(String where, Database.Binder bind, int params, int limit) {
    List<long[]> sizes =
        db.query(
            "SELECT seq, COALESCE(OCTET_LENGTH(context), 0) + COALESCE(OCTET_LENGTH(items), 0)"
                + " FROM audit_log WHERE "
                + where
                + " ORDER BY seq LIMIT ?",
            ps -> {
              bind.bind(ps);
              ps.setInt(params + 1, limit);
            },
            rs -> new long[] {rs.getLong(1), rs.getLong(2)});
    if (sizes.isEmpty()) {
      return List.of();
    }
    long text = 0;
    int keep = 0;
    for (long[] row : sizes) {
      text += row[1];
      if (keep > 0 && text > pageTextBytes) {
        break;
      }
      keep++;
    }
    long lastSeq = sizes.get(keep - 1)[0];
    return db.query(
        "SELECT * FROM audit_log WHERE " + where + " AND seq <= ? ORDER BY seq",
        ps -> {
          bind.bind(ps);
          ps.setLong(params + 1, lastSeq);
        },
        JdbcAuditLog::record);
  }

  /** Empty while the log is: the head row exists from the start, at seq 0 with the genesis mac. */
  @Override
  public Optional<Head> head() {
    return db
        .query(
            "SELECT seq, mac FROM audit_head WHERE id = 1 AND seq > 0",
            ps -> {},
            rs -> new Head(rs.getLong(1), rs.getBytes(2)))
        .stream()
        .findFirst();
  }

  private static AuditRecord record(ResultSet rs) throws SQLException {
    int v = rs.getInt("key_version");
    Integer version = rs.wasNull() ? null : v;
    String ctx = rs.getString("context");
    String items = rs.getString("items");
    AuditEvent e =
        new AuditEvent(
            Instant.ofEpochMilli(rs.getLong("at")),
            rs.getString("request_id"),
            rs.getString("tenant"),
            rs.getString("principal"),
            rs.getString("operation"),
            rs.getString("key_name"),
            version,
            ctx == null ? null : map(ctx),
            rs.getString("outcome"),
            rs.getString("error_code"),
            rs.getString("source"),
            items == null ? null : items(items));
    return new AuditRecord(rs.getLong("seq"), e, rs.getBytes("mac"));
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> map(String json) throws SQLException {
    try {
      return JSON.readValue(json, MAP);
    } catch (JsonProcessingException e) {
      // An edited context that no longer parses still has to surface as a broken chain.
      return Map.of("<unparseable>", json);
    }
  }

  private static List<AuditItem> items(String json) {
    try {
      return JSON.readValue(json, ITEMS);
    } catch (JsonProcessingException e) {
      // As for the context: an edited list that no longer parses must still fail verification.
      return List.of(new AuditItem("<unparseable>", json, null, null, null, null));
    }
  }

  /** Stops accepting appends, writes what is queued, and stops the writer. */
  @Override
  public void close() {
    synchronized (admission) {
      running = false;
    }
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
