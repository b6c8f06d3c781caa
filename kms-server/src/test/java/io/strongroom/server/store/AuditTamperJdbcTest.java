package io.strongroom.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.audit.AuditEvent;
import io.strongroom.core.audit.AuditItem;
import io.strongroom.core.audit.AuditLog;
import io.strongroom.core.audit.AuditRecord;
import io.strongroom.server.store.JdbcFixture.Backend;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The audit chain over the JDBC log on H2 and PostgreSQL: whatever someone with plain SQL access
 * edits, deletes or reorders in {@code audit_log} is found by {@link AuditChain#verify}, which
 * names the first bad record; and concurrent appends through group commit form one chain without
 * gaps.
 */
class AuditTamperJdbcTest {
  private static final byte[] AUDIT_KEY = new byte[32];

  static {
    new Random(42).nextBytes(AUDIT_KEY);
  }

  private static final int RECORDS = 12;
  private static final int PAGE = 5;

  @TempDir Path dir;

  private final AuditChain chain = new AuditChain(AUDIT_KEY);
  private JdbcFixture fixture;
  private Database db;
  private JdbcAuditLog log;

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private void open(Backend backend) {
    fixture = new JdbcFixture(backend, dir);
    db = fixture.open(fixture.newTarget());
    log = (JdbcAuditLog) fixture.stores(db, chain).audit();
  }

  /** Appends {@link #RECORDS} events in batches of 1 to 3 and checks that the chain verifies. */
  private void givenChain(Backend backend) {
    open(backend);
    int seq = 1;
    while (seq <= RECORDS) {
      List<AuditEvent> batch = new ArrayList<>();
      for (int i = 0; i < 1 + seq % 3 && seq <= RECORDS; i++) {
        batch.add(event(seq++));
      }
      log.append(batch).join();
    }
    assertOk(RECORDS);
  }

  /** Every sixth record, from the third, is a batch's: three items and nothing at the top level. */
  private static AuditEvent event(int n) {
    if (n % 6 == 3) {
      return new AuditEvent(
          Instant.parse("2026-06-01T12:00:00Z").plusMillis(1000L * n + n),
          "req-" + n,
          "acme",
          "acme/svc-" + n,
          "batch",
          null,
          null,
          null,
          "OK",
          null,
          "10.0.0." + n,
          List.of(
              new AuditItem("encrypt", "orders", 2, Map.of("volume", "vol-" + n), "OK", null),
              new AuditItem("decrypt", "orders", 1, Map.of(), "ERROR", "INVALID_CIPHERTEXT"),
              new AuditItem("unknown", null, null, null, "ERROR", "INVALID_ARGUMENT")));
    }
    return new AuditEvent(
        Instant.parse("2026-06-01T12:00:00Z").plusMillis(1000L * n + n),
        "req-" + n,
        n % 4 == 0 ? "globex" : "acme",
        "acme/svc-" + n,
        n % 2 == 0 ? "encrypt" : "decrypt",
        "orders",
        1 + n % 3,
        Map.of("volume", String.format("vol-%04d", n), "purpose", "backup"),
        n % 5 == 0 ? "ERROR" : "OK",
        n % 5 == 0 ? "INVALID_CIPHERTEXT" : null,
        "10.0.0." + n);
  }

  private AuditChain.Verification verify() {
    return chain.verify(log, PAGE);
  }

  private void assertOk(long records) {
    AuditChain.Verification v = verify();
    assertThat(v.ok()).as(String.valueOf(v.reason())).isTrue();
    assertThat(v.records()).isEqualTo(records);
    assertThat(v.firstBadSeq()).isNull();
  }

  private void assertBrokenAt(long seq) {
    AuditChain.Verification v = verify();
    assertThat(v.ok()).as("verification after tampering").isFalse();
    assertThat(v.firstBadSeq()).as(v.reason()).isEqualTo(seq);
    assertThat(v.reason()).isNotBlank();
  }

  private int sql(String sql, Object... params) {
    return db.update(
        sql,
        ps -> {
          for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
          }
        });
  }

  private Object column(String column, long seq) {
    return db.query(
            "SELECT " + column + " FROM audit_log WHERE seq = ?",
            ps -> ps.setLong(1, seq),
            rs -> rs.getObject(1))
        .get(0);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void untouchedChainVerifiesWithAnyPageSize(Backend backend) {
    givenChain(backend);
    for (int page : new int[] {1, 2, 11, 12, 13, 1000}) {
      AuditChain.Verification v = chain.verify(log, page);
      assertThat(v.ok()).as("page size %d: %s", page, v.reason()).isTrue();
      assertThat(v.records()).isEqualTo(RECORDS);
    }
    assertThat(log.scan(0, 100))
        .extracting(AuditRecord::event)
        .containsExactlyElementsOf(
            IntStream.rangeClosed(1, RECORDS).mapToObj(AuditTamperJdbcTest::event).toList());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void editedFieldIsNamedAndRestoringItVerifiesAgain(Backend backend) {
    givenChain(backend);
    long victim = 7;
    Map<String, List<Object>> edits =
        Map.of(
            "operation", List.of("export", "Decrypt", "decrypt "),
            "context",
                List.of(
                    "{\"purpose\":\"backup\",\"volume\":\"vol-9999\"}",
                    "{\"purpose\":\"backup\"}",
                    "{}",
                    "not json"),
            "outcome", List.of("ERROR", "ok"),
            "tenant", List.of("globex"),
            "at", List.of(((Long) column("at", victim)) + 1),
            "request_id", List.of("req-8"));
    for (Map.Entry<String, List<Object>> edit : edits.entrySet()) {
      String col = edit.getKey();
      Object original = column(col, victim);
      for (Object forged : edit.getValue()) {
        assertThat(sql("UPDATE audit_log SET " + col + " = ? WHERE seq = ?", forged, victim))
            .isEqualTo(1);
        assertBrokenAt(victim);
      }
      sql("UPDATE audit_log SET " + col + " = ? WHERE seq = ?", original, victim);
      assertOk(RECORDS);
    }

    // a null where there was a value, and the reverse
    sql("UPDATE audit_log SET context = NULL WHERE seq = ?", victim);
    assertBrokenAt(victim);
    sql(
        "UPDATE audit_log SET context = ? WHERE seq = ?",
        "{\"purpose\":\"backup\",\"volume\":\"vol-0007\"}",
        victim);
    assertOk(RECORDS);
    sql("UPDATE audit_log SET error_code = ? WHERE seq = ?", "INTERNAL", victim);
    assertBrokenAt(victim);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void editedBatchItemIsNamedAndRestoringItVerifiesAgain(Backend backend) {
    givenChain(backend);
    long victim = 9;
    String original = (String) column("items", victim);
    assertThat(original).contains("\"volume\":\"vol-9\"");
    List<String> forgeries =
        List.of(
            original.replace("\"keyVersion\":2", "\"keyVersion\":3"),
            original.replace("vol-9", "vol-8"),
            original.replace("\"operation\":\"decrypt\"", "\"operation\":\"encrypt\""),
            original.replace(
                "\"outcome\":\"ERROR\",\"errorCode\":\"INVALID_CIPHERTEXT\"", "\"outcome\":\"OK\""),
            original.substring(0, original.lastIndexOf(",{")) + "]",
            "[]",
            "not json",
            original.replace("\"key\":\"orders\"", "\"key\":\"orders\",\"extra\":1"));
    for (String forged : forgeries) {
      assertThat(forged).isNotEqualTo(original);
      sql("UPDATE audit_log SET items = ? WHERE seq = ?", forged, victim);
      assertBrokenAt(victim);
    }
    sql("UPDATE audit_log SET items = NULL WHERE seq = ?", victim);
    assertBrokenAt(victim);
    sql("UPDATE audit_log SET items = ? WHERE seq = ?", original, victim);
    assertOk(RECORDS);
    // items added to a record that had none
    sql("UPDATE audit_log SET items = ? WHERE seq = ?", "[]", 7);
    assertBrokenAt(7);
  }

  /**
   * Six batch records of about 200 kB of text each, read by a log whose pages stop at two and a
   * half records' worth: a page holds two, paging on from each page's last record reads all six in
   * order, and the chain verifies in such pages. (The server's pages stop at {@link
   * JdbcAuditLog#PAGE_TEXT_BYTES}; the test uses a smaller limit so that its transactions stay
   * small.)
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void pagesOfLargeRecordsAreCutBySizeAndPagingReadsThemAll(Backend backend) {
    open(backend);
    String value = "v".repeat(150);
    List<AuditEvent> big = new ArrayList<>();
    for (int n = 1; n <= 6; n++) {
      List<AuditItem> items = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        items.add(new AuditItem("encrypt", "orders", 1, Map.of("v", value), "OK", null));
      }
      big.add(
          new AuditEvent(
              Instant.parse("2026-06-01T12:00:00Z").plusSeconds(n),
              "req-" + n,
              "acme",
              "acme/app",
              "batch",
              null,
              null,
              null,
              "OK",
              null,
              "10.0.0.1",
              items));
    }
    for (AuditEvent e : big) {
      log.append(List.of(e)).join();
    }
    long one = ((String) column("items", 1)).length();
    assertThat(one).isBetween(150_000L, 300_000L);
    JdbcAuditLog small = new JdbcAuditLog(db, chain, one * 5 / 2); // two records and a half
    try {
      assertThat(small.list("acme", 0, 100)).extracting(AuditRecord::seq).containsExactly(1L, 2L);
      assertThat(small.scan(0, 100)).extracting(AuditRecord::seq).containsExactly(1L, 2L);
      assertThat(small.scan(2, 1)).extracting(AuditRecord::seq).containsExactly(3L);
      assertThat(log.scan(0, 100)).hasSize(6);
      List<AuditEvent> read = new ArrayList<>();
      long after = 0;
      for (List<AuditRecord> page = small.list("acme", 0, 100);
          !page.isEmpty();
          page = small.list("acme", after, 100)) {
        page.forEach(r -> read.add(r.event()));
        after = page.get(page.size() - 1).seq();
      }
      assertThat(read).isEqualTo(big);
      AuditChain.Verification v = chain.verify(small, 5000);
      assertThat(v.ok()).as(String.valueOf(v.reason())).isTrue();
      assertThat(v.records()).isEqualTo(6);
    } finally {
      small.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void editOfTheFirstAndOfTheLastRecordIsNamed(Backend backend) {
    givenChain(backend);
    sql("UPDATE audit_log SET outcome = 'ERROR' WHERE seq = ?", RECORDS);
    assertBrokenAt(RECORDS);
    sql("UPDATE audit_log SET operation = 'rotate' WHERE seq = 1");
    assertBrokenAt(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void deletedMiddleRecordIsNamed(Backend backend) {
    givenChain(backend);
    assertThat(sql("DELETE FROM audit_log WHERE seq = 6")).isEqualTo(1);
    assertBrokenAt(6);
    assertThat(verify().reason()).contains("missing");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void renumberingAfterADeletionIsDetected(Backend backend) {
    givenChain(backend);
    sql("DELETE FROM audit_log WHERE seq = 6");
    for (long s = 7; s <= RECORDS; s++) {
      sql("UPDATE audit_log SET seq = ? WHERE seq = ?", s - 1, s);
    }
    sql("UPDATE audit_head SET seq = ?", RECORDS - 1);
    assertBrokenAt(6);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void swappedRecordsAreDetected(Backend backend) {
    givenChain(backend);
    swap(5, 6);
    assertBrokenAt(5);
    swap(5, 6);
    assertOk(RECORDS);
    swap(3, 11);
    assertBrokenAt(3);
  }

  private void swap(long a, long b) {
    sql("UPDATE audit_log SET seq = ? WHERE seq = ?", -1L, a);
    sql("UPDATE audit_log SET seq = ? WHERE seq = ?", a, b);
    sql("UPDATE audit_log SET seq = ? WHERE seq = ?", b, -1L);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void deletedLastRecordIsDetectedThroughTheHead(Backend backend) {
    givenChain(backend);
    assertThat(sql("DELETE FROM audit_log WHERE seq = ?", RECORDS)).isEqualTo(1);
    AuditChain.Verification v = verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.records()).isEqualTo(RECORDS - 1);
    assertThat(v.firstBadSeq()).isEqualTo(RECORDS);

    // moving the head back too: its mac is that of the deleted record
    sql("UPDATE audit_head SET seq = ?", RECORDS - 1);
    assertBrokenAt(RECORDS - 1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void forgedRecordsAndHeadsAreDetected(Backend backend) {
    givenChain(backend);
    AuditRecord last = log.scan(RECORDS - 1, 1).get(0);
    sql(
        "INSERT INTO audit_log (seq, at, operation, outcome, mac) VALUES (?, ?, ?, ?, ?)",
        (long) RECORDS + 1,
        1L,
        "decrypt",
        "OK",
        last.mac());
    sql("UPDATE audit_head SET seq = ?", (long) RECORDS + 1);
    assertBrokenAt(RECORDS + 1);

    sql("DELETE FROM audit_log WHERE seq = ?", (long) RECORDS + 1);
    sql("UPDATE audit_head SET seq = ?", (long) RECORDS);
    assertOk(RECORDS);
    sql("UPDATE audit_head SET mac = ?", (Object) AuditChain.genesis());
    assertBrokenAt(RECORDS);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void appendsAfterTamperingDoNotHideIt(Backend backend) {
    givenChain(backend);
    sql("UPDATE audit_log SET outcome = 'ERROR' WHERE seq = 4");
    log.append(List.of(event(RECORDS + 1), event(RECORDS + 2))).join();
    assertBrokenAt(4);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void concurrentAppendsFormOneChainWithoutGaps(Backend backend) throws Exception {
    open(backend);
    int threads = 16;
    int perThread = 50;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    log.append(List.of(event(thread * 1000 + i))).get(60, TimeUnit.SECONDS);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    int total = threads * perThread;
    List<AuditRecord> all = log.scan(0, total + 10);
    assertThat(all).extracting(AuditRecord::seq).containsExactlyElementsOf(seqs(1, total));
    Map<String, Long> seqById = new HashMap<>();
    for (AuditRecord r : all) {
      assertThat(seqById.put(r.event().requestId(), r.seq())).isNull();
    }
    for (int t = 0; t < threads; t++) {
      long previous = 0;
      for (int i = 0; i < perThread; i++) {
        Long seq = seqById.get("req-" + (t * 1000 + i));
        assertThat(seq).as("thread %d append %d", t, i).isNotNull().isGreaterThan(previous);
        previous = seq;
      }
    }
    assertThat(log.head()).map(AuditLog.Head::seq).contains((long) total);
    AuditChain.Verification v = chain.verify(log, 97);
    assertThat(v.ok()).as(String.valueOf(v.reason())).isTrue();
    assertThat(v.records()).isEqualTo(total);
  }

  /**
   * Two writers on one database, as two nodes: each remembers the head it committed last, which the
   * other keeps moving, so each append must notice that and chain onto the other's records.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void twoNodesExtendOneChainInTurnAndAtOnce(Backend backend) throws Exception {
    open(backend);
    try (JdbcAuditLog other = new JdbcAuditLog(db, chain)) {
      for (int i = 1; i <= 6; i++) {
        (i % 2 == 0 ? other : log).append(List.of(event(i))).join();
      }
      assertOk(6);

      int perNode = 200;
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (JdbcAuditLog node : List.of(log, other)) {
          int base = node == log ? 1000 : 2000;
          done.add(
              pool.submit(
                  () -> {
                    List<CompletableFuture<Void>> appends = new ArrayList<>();
                    for (int i = 0; i < perNode; i++) {
                      appends.add(node.append(List.of(event(base + i))));
                    }
                    appends.forEach(CompletableFuture::join);
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
    }
    int total = 6 + 2 * 200;
    assertThat(log.scan(0, total + 10))
        .extracting(AuditRecord::seq)
        .containsExactlyElementsOf(seqs(1, total));
    assertThat(log.head()).map(AuditLog.Head::seq).contains((long) total);
    assertOk(total);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void closeWritesWhatWasAcceptedAndThenRefuses(Backend backend) throws Exception {
    open(backend);
    int threads = 4;
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<CompletableFuture<Void>>>> appenders = new ArrayList<>();
    CountDownLatch started = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      int thread = t;
      appenders.add(
          pool.submit(
              () -> {
                List<CompletableFuture<Void>> futures = new ArrayList<>();
                int i = 0;
                started.countDown();
                while (!stop.get() || i < 50) {
                  futures.add(log.append(List.of(event(thread * 100_000 + i++))));
                  if (i % 16 == 0) {
                    Thread.sleep(1);
                  }
                }
                return futures;
              }));
    }
    started.await();
    Thread.sleep(50);
    log.close();
    stop.set(true);
    int acknowledged = 0;
    int refused = 0;
    try {
      for (Future<List<CompletableFuture<Void>>> f : appenders) {
        for (CompletableFuture<Void> append : f.get(60, TimeUnit.SECONDS)) {
          try {
            append.get(30, TimeUnit.SECONDS);
            acknowledged++;
          } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(KmsException.class);
            assertThat(((KmsException) e.getCause()).code()).isEqualTo(ErrorCode.UNAVAILABLE);
            refused++;
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(refused).as("appends after close are refused").isPositive();
    assertThat(log.append(List.of(event(1))))
        .failsWithin(5, TimeUnit.SECONDS)
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(KmsException.class);
    // every acknowledged append is stored, and nothing else
    AuditChain.Verification v = chain.verify(log, 1000);
    assertThat(v.ok()).as(String.valueOf(v.reason())).isTrue();
    assertThat(v.records()).isEqualTo(acknowledged).isPositive();
  }

  private static List<Long> seqs(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      out.add(s);
    }
    return out;
  }
}
