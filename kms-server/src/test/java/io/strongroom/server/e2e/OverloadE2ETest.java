package io.strongroom.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.server.testing.TestServer;
import io.strongroom.server.testing.TestServer.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The bound on API requests in flight ({@code --max-in-flight}): past it a request is answered at
 * once with 429 RESOURCE_EXHAUSTED and {@code Retry-After}, the requests admitted before it are
 * answered normally, and every one of them leaves the count. Requests are held in flight by locking
 * the audit chain's head row from the test, so that no audit group can commit until the test lets
 * go.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OverloadE2ETest {
  private static final int MAX_IN_FLIGHT = 4;
  private static final String GDK = "/v1/tenants/busy/keys/k/generate-data-key";
  private TestServer server;
  private String user;
  private final ExecutorService clients = Executors.newFixedThreadPool(MAX_IN_FLIGHT);

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(c -> TestServer.withMaxInFlight(c, MAX_IN_FLIGHT));
    server.createTenant("busy");
    user = server.createPrincipal("busy", "app", "key-admin", "key-user");
    server.createKey("busy", user, "k");
  }

  @AfterAll
  void stop() {
    clients.shutdownNow();
    if (server != null) {
      server.close();
    }
  }

  private double inFlight() {
    String metrics = server.get("/metrics", null).body();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("strongroom_http_in_flight ")) {
        return Double.parseDouble(line.substring(line.indexOf(' ') + 1));
      }
    }
    throw new AssertionError("no strongroom_http_in_flight in /metrics");
  }

  private void awaitInFlight(double n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (inFlight() != n) {
      assertThat(System.nanoTime()).as("%s requests in flight", n).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void pastTheBoundRequestsAreShedAndTheAdmittedOnesAnswered() throws Exception {
    List<CompletableFuture<Response>> admitted = new ArrayList<>();
    try (Connection c = server.server().database().pool().getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
              c.prepareStatement("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE");
          ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
      }
      for (int i = 0; i < MAX_IN_FLIGHT; i++) {
        admitted.add(
            CompletableFuture.supplyAsync(() -> server.post(GDK, user, Map.of()), clients));
      }
      awaitInFlight(MAX_IN_FLIGHT);

      Response shed = server.post(GDK, user, Map.of());
      assertThat(shed.status()).as("%s", shed).isEqualTo(429);
      assertThat(shed.errorCode()).isEqualTo("RESOURCE_EXHAUSTED");
      assertThat(shed.header("Retry-After")).isEqualTo("1");
      assertThat(admitted).allMatch(f -> !f.isDone());
      c.rollback();
    }
    for (CompletableFuture<Response> f : admitted) {
      Response r = f.get(10, TimeUnit.SECONDS);
      assertThat(r.status()).as("%s", r).isEqualTo(200);
    }
    awaitInFlight(0);
    Response after = server.post(GDK, user, Map.of());
    assertThat(after.status()).as("%s", after).isEqualTo(200);
    assertThat(server.get("/metrics", null).body())
        .containsPattern(
            "(?m)^strongroom_requests_seconds_count\\{operation=\"generate-data-key\","
                + "outcome=\"RESOURCE_EXHAUSTED\"} 1(\\.0)?$");
  }

  @Test
  void refusedAndFailedRequestsLeaveTheCountToo() throws Exception {
    for (int i = 0; i < 2 * MAX_IN_FLIGHT; i++) {
      assertThat(server.post(GDK, "srt_not-a-token", Map.of()).status()).isEqualTo(401);
      assertThat(server.post(GDK, user, Map.of("bytes", 3)).status()).isEqualTo(400);
    }
    awaitInFlight(0);
    assertThat(server.post(GDK, user, Map.of()).status()).isEqualTo(200);
  }
}
