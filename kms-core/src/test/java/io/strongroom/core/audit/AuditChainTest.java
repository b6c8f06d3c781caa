package io.strongroom.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.core.store.Stores;
import io.strongroom.core.testing.InMemoryStores;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Verification of the audit chain detects every kind of edit to the stored records. */
class AuditChainTest {
  private static final int RECORDS = 10;

  private final Random random = new Random(42);
  private final AuditChain chain = new AuditChain(bytes(32));
  private Stores stores;
  private InMemoryStores.Audit log;

  @BeforeEach
  void appendTenRecords() {
    stores = InMemoryStores.create(chain);
    log = InMemoryStores.audit(stores);
    // batches of 3, 1, 4 and 2 events
    int seq = 0;
    for (int batch : new int[] {3, 1, 4, 2}) {
      List<AuditEvent> events = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        events.add(event(++seq));
      }
      log.append(events).join();
    }
  }

  @Test
  void intactChainVerifiesWhateverThePageSize() {
    for (int pageSize : new int[] {1, 2, 3, 9, 10, 11, 5000}) {
      AuditChain.Verification v = chain.verify(log, pageSize);
      assertThat(v.ok()).as("page size " + pageSize).isTrue();
      assertThat(v.records()).isEqualTo(RECORDS);
      assertThat(v.firstBadSeq()).isNull();
      assertThat(v.reason()).isNull();
    }
  }

  @Test
  void auditKeyMustBe32Bytes() {
    assertThatThrownBy(() -> new AuditChain(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AuditChain(new byte[33]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anotherKeyDoesNotVerify() {
    assertBad(new AuditChain(bytes(32)).verify(log, 4), 1);
  }

  @Test
  void editedFieldIsDetected() {
    log.tamper().edit(4, e -> withOutcome(e, "ERROR"));
    assertBad(chain.verify(log, 3), 4);
  }

  @Test
  void everyFieldIsCovered() {
    List<java.util.function.UnaryOperator<AuditEvent>> edits =
        List.of(
            e ->
                copy(
                    e,
                    e.time().plusMillis(1),
                    e.requestId(),
                    e.tenant(),
                    e.principal(),
                    e.key(),
                    e.keyVersion(),
                    e.context(),
                    e.source()),
            e ->
                copy(
                    e,
                    e.time(),
                    e.requestId() + "x",
                    e.tenant(),
                    e.principal(),
                    e.key(),
                    e.keyVersion(),
                    e.context(),
                    e.source()),
            e ->
                copy(
                    e,
                    e.time(),
                    e.requestId(),
                    "globex",
                    e.principal(),
                    e.key(),
                    e.keyVersion(),
                    e.context(),
                    e.source()),
            e ->
                copy(
                    e,
                    e.time(),
                    e.requestId(),
                    e.tenant(),
                    null,
                    e.key(),
                    e.keyVersion(),
                    e.context(),
                    e.source()),
            e ->
                copy(
                    e,
                    e.time(),
                    e.requestId(),
                    e.tenant(),
                    e.principal(),
                    "other",
                    e.keyVersion(),
                    e.context(),
                    e.source()),
            e ->
                copy(
                    e,
                    e.time(),
                    e.requestId(),
                    e.tenant(),
                    e.principal(),
                    e.key(),
                    99,
                    e.context(),
                    e.source()),
            e ->
                copy(
                    e,
                    e.time(),
                    e.requestId(),
                    e.tenant(),
                    e.principal(),
                    e.key(),
                    e.keyVersion(),
                    Map.of(),
                    e.source()),
            e ->
                copy(
                    e,
                    e.time(),
                    e.requestId(),
                    e.tenant(),
                    e.principal(),
                    e.key(),
                    e.keyVersion(),
                    null,
                    e.source()),
            e ->
                copy(
                    e,
                    e.time(),
                    e.requestId(),
                    e.tenant(),
                    e.principal(),
                    e.key(),
                    e.keyVersion(),
                    Map.of("purpose", "other"),
                    e.source()),
            e ->
                copy(
                    e,
                    e.time(),
                    e.requestId(),
                    e.tenant(),
                    e.principal(),
                    e.key(),
                    e.keyVersion(),
                    e.context(),
                    "10.9.9.9"),
            e -> withOutcome(e, "ERROR"),
            e ->
                new AuditEvent(
                    e.time(),
                    e.requestId(),
                    e.tenant(),
                    e.principal(),
                    "decrypt",
                    e.key(),
                    e.keyVersion(),
                    e.context(),
                    e.outcome(),
                    e.errorCode(),
                    e.source()),
            e ->
                new AuditEvent(
                    e.time(),
                    e.requestId(),
                    e.tenant(),
                    e.principal(),
                    e.operation(),
                    e.key(),
                    e.keyVersion(),
                    e.context(),
                    e.outcome(),
                    "INTERNAL",
                    e.source()));
    for (int i = 0; i < edits.size(); i++) {
      appendTenRecords();
      log.tamper().edit(6, edits.get(i));
      assertThat(log.scan(5, 1).get(0).event())
          .as("edit %d changes the event", i)
          .isNotEqualTo(event(6));
      assertBad(chain.verify(log, 4), 6);
    }
  }

  @Test
  void everyItemOfABatchIsCovered() {
    AuditItem a = new AuditItem("encrypt", "orders", 2, Map.of("volume", "v1"), "OK", null);
    AuditItem b = new AuditItem("decrypt", "orders", 1, null, "ERROR", "INVALID_CIPHERTEXT");
    List<List<AuditItem>> variants =
        java.util.Arrays.asList(
            List.of(a, b),
            List.of(b, a),
            List.of(a),
            List.of(),
            null,
            List.of(a, new AuditItem("encrypt", "orders", 1, null, "ERROR", "INVALID_CIPHERTEXT")),
            List.of(a, new AuditItem("decrypt", "other", 1, null, "ERROR", "INVALID_CIPHERTEXT")),
            List.of(a, new AuditItem("decrypt", "orders", 2, null, "ERROR", "INVALID_CIPHERTEXT")),
            List.of(
                a, new AuditItem("decrypt", "orders", 1, Map.of(), "ERROR", "INVALID_CIPHERTEXT")),
            List.of(a, new AuditItem("decrypt", "orders", 1, null, "OK", "INVALID_CIPHERTEXT")),
            List.of(a, new AuditItem("decrypt", "orders", 1, null, "ERROR", "INTERNAL")),
            List.of(a, b, b));
    java.util.Set<String> macs = new java.util.HashSet<>();
    for (List<AuditItem> items : variants) {
      AuditEvent e =
          new AuditEvent(
              Instant.parse("2026-02-01T00:00:00Z"),
              "req-1",
              "acme",
              "acme/app",
              "batch",
              null,
              null,
              null,
              "OK",
              null,
              "10.0.0.1",
              items);
      macs.add(java.util.HexFormat.of().formatHex(chain.mac(AuditChain.genesis(), 1, e)));
    }
    assertThat(macs).as("every variant has its own mac").hasSize(variants.size());
  }

  @Test
  void editedMacIsDetected() {
    byte[] mac = log.scan(6, 1).get(0).mac();
    mac[0] ^= 1;
    log.tamper().setMac(7, mac);
    assertBad(chain.verify(log, 3), 7);
  }

  @Test
  void deletedRecordIsDetected() {
    log.tamper().delete(5);
    AuditChain.Verification v = chain.verify(log, 3);
    assertBad(v, 5);
    assertThat(v.records()).isEqualTo(4);
  }

  @Test
  void deletedFirstRecordIsDetected() {
    log.tamper().delete(1);
    assertBad(chain.verify(log, 3), 1);
  }

  @Test
  void swappedRecordsAreDetected() {
    log.tamper().swap(3, 8);
    assertBad(chain.verify(log, 4), 3);
  }

  @Test
  void swappedNeighboursAreDetected() {
    log.tamper().swap(9, 10);
    assertBad(chain.verify(log, 100), 9);
  }

  @Test
  void truncatedTailIsDetectedThroughTheHead() {
    log.tamper().truncateAfter(7);
    AuditChain.Verification v = chain.verify(log, 3);
    assertBad(v, 8);
    assertThat(v.records()).isEqualTo(7);
  }

  @Test
  void droppedLastRecordIsDetectedThroughTheHead() {
    log.tamper().delete(RECORDS);
    assertBad(chain.verify(log, 4), RECORDS);
  }

  @Test
  void everyRecordDeletedIsDetectedThroughTheHead() {
    log.tamper().truncateAfter(0);
    assertBad(chain.verify(log, 4), 1);
  }

  @Test
  void editedHeadIsDetected() {
    AuditLog.Head head = log.head().orElseThrow();
    byte[] mac = head.mac();
    mac[31] ^= (byte) 0x80;
    log.tamper().setHead(new AuditLog.Head(head.seq(), mac));
    assertBad(chain.verify(log, 4), RECORDS);
  }

  @Test
  void rewrittenChainUnderAnotherKeyIsDetected() {
    // an attacker edits record 4 and recomputes every later mac, without the audit key
    AuditChain forger = new AuditChain(bytes(32));
    List<AuditRecord> all = log.scan(0, 100);
    byte[] prev = all.get(2).mac();
    log.tamper().edit(4, e -> withOutcome(e, "ERROR"));
    for (AuditRecord r : log.scan(3, 100)) {
      prev = forger.mac(prev, r.seq(), r.event());
      log.tamper().setMac(r.seq(), prev);
    }
    log.tamper().setHead(new AuditLog.Head(RECORDS, prev));
    assertBad(chain.verify(log, 4), 4);
  }

  @Test
  void appendAfterVerificationContinuesTheChain() {
    log.append(List.of(event(11), event(12))).join();
    AuditChain.Verification v = chain.verify(log, 5);
    assertThat(v.ok()).isTrue();
    assertThat(v.records()).isEqualTo(12);
    assertThat(log.head().orElseThrow().seq()).isEqualTo(12);
  }

  private static void assertBad(AuditChain.Verification v, long firstBadSeq) {
    assertThat(v.ok()).isFalse();
    assertThat(v.firstBadSeq()).isEqualTo(firstBadSeq);
    assertThat(v.reason()).isNotBlank();
  }

  private static AuditEvent event(int n) {
    return new AuditEvent(
        Instant.parse("2026-02-01T00:00:00Z").plusSeconds(n),
        "req-" + n,
        n % 2 == 0 ? "acme" : "globex",
        (n % 2 == 0 ? "acme" : "globex") + "/app",
        "encrypt",
        "orders",
        1 + n % 3,
        Map.of("purpose", "backup", "n", Integer.toString(n)),
        "OK",
        null,
        "10.0.0." + n);
  }

  private static AuditEvent withOutcome(AuditEvent e, String outcome) {
    return new AuditEvent(
        e.time(),
        e.requestId(),
        e.tenant(),
        e.principal(),
        e.operation(),
        e.key(),
        e.keyVersion(),
        e.context(),
        outcome,
        e.errorCode(),
        e.source());
  }

  private static AuditEvent copy(
      AuditEvent e,
      Instant time,
      String requestId,
      String tenant,
      String principal,
      String key,
      Integer keyVersion,
      Map<String, String> context,
      String source) {
    return new AuditEvent(
        time,
        requestId,
        tenant,
        principal,
        e.operation(),
        key,
        keyVersion,
        context,
        e.outcome(),
        e.errorCode(),
        source);
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
