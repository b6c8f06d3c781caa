package io.strongroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.strongroom.core.KeyState;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.Role;
import io.strongroom.core.audit.AuditEvent;
import io.strongroom.core.audit.AuditLog;
import io.strongroom.core.audit.AuditRecord;
import io.strongroom.core.custody.LocalFileRootKey;
import io.strongroom.core.service.NewKey;
import io.strongroom.core.testing.KmsFixture;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's destruction check on a timer: what is due is recorded, destroyed and recorded again;
 * what is not due is left; while the audit log refuses the first record nothing is destroyed.
 */
class DueDestructionTest {
  private static final String T = "acme";

  @TempDir Path dir;
  private KmsFixture kms;
  private Vertx vertx;
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  @BeforeEach
  void setUp() throws Exception {
    kms = KmsFixture.create(LocalFileRootKey.loadOrCreate(dir.resolve("root.key")));
    kms.withTenants(T);
    vertx = Vertx.vertx();
    var admin = KmsFixture.caller(T, "admin", Role.KEY_ADMIN);
    for (String key : List.of("due", "later")) {
      kms.keys().create(admin, T, new NewKey(key, ProtectionLevel.SOFTWARE, null, null, null));
      kms.keys().rotate(admin, T, key, OptionalLong.empty());
    }
    kms.keys().scheduleDestroyVersion(admin, T, "due", 1, OptionalLong.empty(), 7);
    kms.clock().advance(Duration.ofDays(1));
    kms.keys().scheduleDestroyVersion(admin, T, "later", 1, OptionalLong.empty(), 7);
    kms.clock().advance(Duration.ofDays(6)); // "due" has passed its window, "later" has not
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private KeyState state(String key) {
    return kms.stores().keys().findByName(T, key).orElseThrow().versions().get(0).state();
  }

  private void awaitDestroyed(String key) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (state(key) != KeyState.DESTROYED && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @Test
  void whatIsDueIsDestroyedAndAuditedAndTheRestIsLeft() throws Exception {
    try (DueDestruction due =
        new DueDestruction(
            vertx,
            kms.keys(),
            kms.stores().audit(),
            kms.clock(),
            Duration.ofMillis(100),
            metrics)) {
      awaitDestroyed("due");
      Thread.sleep(300); // more runs: nothing is destroyed twice
    }
    assertThat(state("due")).isEqualTo(KeyState.DESTROYED);
    assertThat(state("later")).isEqualTo(KeyState.DESTROY_SCHEDULED);
    List<AuditEvent> events =
        kms.stores().audit().scan(0, 100).stream().map(AuditRecord::event).toList();
    assertThat(events)
        .extracting(AuditEvent::operation)
        .containsExactly(DueDestruction.BEGIN_VERSION_OPERATION, DueDestruction.VERSION_OPERATION);
    assertThat(events.get(0).requestId()).isEqualTo(events.get(1).requestId());
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.tenant()).isEqualTo(T);
              assertThat(e.key()).isEqualTo("due");
              assertThat(e.keyVersion()).isEqualTo(1);
              assertThat(e.principal()).isNull();
              assertThat(e.source()).isEqualTo("scheduler");
              assertThat(e.outcome()).isEqualTo("OK");
            });
    assertThat(metrics.counter("strongroom_destroy_versions").count()).isEqualTo(1.0);
    assertThat(metrics.counter("strongroom_destroy_runs_failed").count()).isZero();
  }

  @Test
  void whileTheAuditLogIsDownNothingIsDestroyed() throws Exception {
    AuditLog real = kms.stores().audit();
    AtomicBoolean down = new AtomicBoolean(true);
    AuditLog flaky =
        new AuditLog() {
          @Override
          public CompletableFuture<Void> append(List<AuditEvent> events) {
            return down.get()
                ? CompletableFuture.failedFuture(new IllegalStateException("audit log down"))
                : real.append(events);
          }

          @Override
          public List<AuditRecord> list(String tenant, long afterSeq, int limit) {
            return real.list(tenant, afterSeq, limit);
          }

          @Override
          public List<AuditRecord> scan(long afterSeq, int limit) {
            return real.scan(afterSeq, limit);
          }

          @Override
          public Optional<Head> head() {
            return real.head();
          }
        };
    try (DueDestruction due =
        new DueDestruction(
            vertx, kms.keys(), flaky, kms.clock(), Duration.ofMillis(100), metrics)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (metrics.counter("strongroom_destroy_failures").count() < 3
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(metrics.counter("strongroom_destroy_failures").count()).isGreaterThanOrEqualTo(3);
      assertThat(state("due")).isEqualTo(KeyState.DESTROY_SCHEDULED);
      assertThat(
              kms.stores().keys().findByName(T, "due").orElseThrow().versions().get(0).material())
          .isNotEmpty();

      down.set(false);
      awaitDestroyed("due");
    }
    assertThat(state("due")).isEqualTo(KeyState.DESTROYED);
    assertThat(real.scan(0, 100))
        .extracting(r -> r.event().operation())
        .containsExactly(DueDestruction.BEGIN_VERSION_OPERATION, DueDestruction.VERSION_OPERATION);
    assertThat(metrics.counter("strongroom_destroy_versions").count()).isEqualTo(1.0);
  }
}
