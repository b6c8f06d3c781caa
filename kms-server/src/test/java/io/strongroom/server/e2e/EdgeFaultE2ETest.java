package io.strongroom.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.server.config.ServerConfig;
import io.strongroom.server.testing.TestServer;
import io.strongroom.server.testing.TestServer.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A bug on the edge's own path (here: the server's clock failing once, as the request is copied for
 * its handler) still gets the request audited and answered INTERNAL, with nothing of the failure in
 * the answer, and the request leaves the count of requests in flight.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeFaultE2ETest {
  private static final String GDK = "/v1/tenants/faulty/keys/k/generate-data-key";
  private final AtomicBoolean failNext = new AtomicBoolean();
  private TestServer server;
  private String user;

  /** The system clock, which throws once when {@link #failNext} is set. */
  private final class FailingOnceClock extends Clock {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      if (failNext.compareAndSet(true, false)) {
        throw new IllegalStateException("the clock broke (a test fault)");
      }
      return Instant.now();
    }
  }

  @BeforeAll
  void start() throws Exception {
    server =
        TestServer.start(
            c -> {
              ServerConfig.Builder b = c.toBuilder();
              b.maxInFlight = 1; // a request that kept its place would refuse every later one
              b.destroyCheckInterval = Duration.ofHours(24); // no timer takes the one fault
              return b.build();
            },
            new FailingOnceClock());
    server.createTenant("faulty");
    user = server.createPrincipal("faulty", "app", "key-admin", "key-user");
    server.createKey("faulty", user, "k");
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aBugBeforeTheHandlerIsAuditedAndAnsweredInternal() {
    failNext.set(true);
    Response r = server.post(GDK, user, Map.of());
    assertThat(failNext).isFalse();
    assertThat(r.status()).as("%s", r).isEqualTo(500);
    assertThat(r.errorCode()).isEqualTo("INTERNAL");
    assertThat(r.errorMessage()).contains(r.requestId()).doesNotContain("clock");
    assertThat(server.audited(r.requestId())).containsExactly("rejected-request ERROR INTERNAL");

    Response next = server.post(GDK, user, Map.of());
    assertThat(next.status()).as("%s", next).isEqualTo(200);
  }
}
