package io.strongroom.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.strongroom.core.KmsException;
import io.strongroom.core.audit.AuditEvent;
import io.strongroom.core.audit.AuditLog;
import io.strongroom.core.service.KeyService;
import io.strongroom.core.service.KeyService.DestroyRun;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Destroys, every {@code --destroy-check-interval}, the keys and versions whose pending window has
 * passed ({@link KeyService#destroyDue}): their material is deleted (an HSM version's token object
 * included) and they become DESTROYED. Nothing is destroyed unrecorded: before a key's material
 * goes, each version about to be destroyed gets a durable audit record (operation {@code
 * begin-destroy-due-version}, no principal, source {@code scheduler}; {@code begin-destroy-due-key}
 * for the key itself), and while the audit log refuses them the key keeps its material and is due
 * again at the next run. Once destroyed, each gets a second record ({@code destroy-due-version},
 * {@code destroy-due-key}) with the same request id. A begin record without its second record means
 * the destruction failed (its key is still DESTROY_SCHEDULED, and the next run begins again), the
 * audit log refused the second record (the key is DESTROYED), or another node destroyed the key
 * first (its own records say so). The work runs on a worker thread, one run at a time per node;
 * nodes may run at once (the store's compare-and-set decides). A key that fails (its HSM
 * unreachable, the audit log down) is logged, counted and tried again at the next run.
 */
final class DueDestruction implements AutoCloseable {
  static final String VERSION_OPERATION = "destroy-due-version";
  static final String KEY_OPERATION = "destroy-due-key";
  static final String BEGIN_VERSION_OPERATION = "begin-destroy-due-version";
  static final String BEGIN_KEY_OPERATION = "begin-destroy-due-key";
  private static final Logger LOG = LoggerFactory.getLogger(DueDestruction.class);

  private final Vertx vertx;
  private final KeyService keys;
  private final AuditLog audit;
  private final Clock clock;
  private final AtomicBoolean running = new AtomicBoolean();
  private final Counter destroyed;
  private final Counter failedKeys;
  private final Counter failedRuns;
  private final long timer;

  DueDestruction(
      Vertx vertx,
      KeyService keys,
      AuditLog audit,
      Clock clock,
      Duration interval,
      MeterRegistry metrics) {
    this.vertx = vertx;
    this.keys = keys;
    this.audit = audit;
    this.clock = clock;
    this.destroyed =
        Counter.builder("strongroom_destroy_versions")
            .description("Key versions destroyed once their pending window had passed")
            .register(metrics);
    this.failedKeys =
        Counter.builder("strongroom_destroy_failures")
            .description("Keys due for destruction that could not be destroyed by a run")
            .register(metrics);
    this.failedRuns =
        Counter.builder("strongroom_destroy_runs_failed")
            .description("Destruction runs that failed as a whole (e.g. the database down)")
            .register(metrics);
    this.timer = vertx.setPeriodic(interval.toMillis(), id -> runInBackground());
  }

  private void runInBackground() {
    if (!running.compareAndSet(false, true)) {
      return; // the previous run is still going
    }
    vertx
        .executeBlocking(
            () -> {
              runOnce();
              return null;
            },
            false)
        .onComplete(
            r -> {
              running.set(false);
              if (r.failed()) {
                failedRuns.increment();
                LOG.warn("destruction of due keys failed: {}", r.cause().toString());
              }
            });
  }

  /**
   * One run: records what is due, destroys it, and records each destruction. The begin records must
   * be durable before anything is destroyed; a failure to write the second ones fails the run
   * (counted) after the destruction.
   */
  void runOnce() {
    String requestId = UUID.randomUUID().toString();
    DestroyRun run =
        keys.destroyDue(
            due -> {
              try {
                audit.append(events(due, requestId, true)).join();
              } catch (RuntimeException e) {
                Throwable why = e.getCause() != null ? e.getCause() : e;
                throw KmsException.unavailable(
                    "the audit log refused the begin record (" + why + "); not destroyed yet",
                    null);
              }
            });
    if (!run.destroyed().isEmpty()) {
      audit.append(events(run.destroyed(), requestId, false)).join();
      for (KeyService.Destroyed d : run.destroyed()) {
        if (d.version() == null) {
          LOG.info("destroyed key {}/{}", d.tenant(), d.key());
        } else {
          destroyed.increment();
          LOG.info("destroyed version {} of key {}/{}", d.version(), d.tenant(), d.key());
        }
      }
    }
    for (String failure : run.failures()) {
      failedKeys.increment();
      LOG.warn("could not destroy a due key, will retry: {}", failure);
    }
  }

  private List<AuditEvent> events(
      List<KeyService.Destroyed> destroyed, String requestId, boolean begin) {
    Instant now = clock.instant();
    return destroyed.stream()
        .map(
            d ->
                new AuditEvent(
                    now,
                    requestId,
                    d.tenant(),
                    null,
                    d.version() == null
                        ? (begin ? BEGIN_KEY_OPERATION : KEY_OPERATION)
                        : (begin ? BEGIN_VERSION_OPERATION : VERSION_OPERATION),
                    d.key(),
                    d.version(),
                    null,
                    "OK",
                    null,
                    "scheduler"))
        .toList();
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
  }
}
