package io.strongroom.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strongroom.api.TenantMessages.PrincipalResponse;
import io.strongroom.client.FakeStrongroomServer.Reply;
import io.strongroom.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries: a real server stopped mid-test (connection failures retried up to {@code maxAttempts}
 * for operations safe to repeat, never for the others), and a scripted HTTPS stub for the answers
 * the real server cannot be made to give on demand (503 then 200, 429 with {@code Retry-After},
 * error pages that are not JSON).
 */
class RetryTest {
  private static final RetryPolicy FAST =
      new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(50));
  private static final String DECRYPT = "/v1/tenants/acme/decrypt";
  private static final String KEYS = "/v1/tenants/acme/keys";
  private static final String OK_DECRYPT =
      "{\"plaintext\":\"aGVsbG8=\",\"key\":\"orders\",\"keyVersion\":1}";

  @TempDir static Path dir;
  private static TestPki pki;

  @BeforeAll
  static void pki() throws Exception {
    pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
  }

  /** Records every retry the client announces. */
  static final class Retries implements RetryListener {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @Override
    public void onRetry(
        String operation, int failedAttempt, Duration delay, StrongroomException failure) {
      assertThat(delay).isLessThanOrEqualTo(FAST.maxDelay());
      seen.add(operation + "#" + failedAttempt + ":" + failure.code());
    }
  }

  private static StrongroomClient fakeClient(FakeStrongroomServer fake, Retries retries) {
    return StrongroomClient.builder()
        .endpoint(fake.endpoint())
        .caCertificate(pki.caPem)
        .token("srt_fake")
        .retryPolicy(FAST)
        .retryListener(retries)
        .build();
  }

  // ---------------------------------- real server, stopped ----------------------------------

  @Test
  void connectionFailuresAreRetriedOnlyForOperationsSafeToRepeat() throws Exception {
    Retries retries = new Retries();
    TestServer server = TestServer.start();
    StrongroomClient client;
    byte[] blob;
    long revision;
    java.util.concurrent.atomic.AtomicReference<String> token =
        new java.util.concurrent.atomic.AtomicReference<>(server.adminToken());
    try {
      client =
          StrongroomClient.builder()
              .endpoint(server.server().endpoint())
              .caCertificate(server.dataDir().resolve("tls").resolve("ca.pem"))
              .tokenSupplier(token::get)
              .retryPolicy(FAST)
              .retryListener(retries)
              .connectTimeout(Duration.ofSeconds(2))
              .requestTimeout(Duration.ofSeconds(5))
              .build();
      client.createTenant("acme", null);
      PrincipalResponse p =
          client.createPrincipal("acme", "app", List.of("key-admin", "key-user"), null);
      token.set(p.token().token()); // act as the tenant's principal from here on
      revision = client.createKey("acme", "orders").revision();
      blob = client.encrypt("acme", "orders", new byte[] {1, 2, 3}, Map.of()).ciphertext();
    } finally {
      server.close(); // stops the server: from here on nothing answers
    }
    try (client) {
      assertThat(retries.seen).isEmpty();

      // safe to repeat: maxAttempts attempts, then the connection failure
      StrongroomConnectionException get =
          catchThrowableOfType(
              StrongroomConnectionException.class, () -> client.getKey("acme", "orders"));
      assertThat(get.attempts()).isEqualTo(3);
      assertThat(get.code()).isEqualTo(StrongroomException.CONNECTION_FAILED);
      assertThat(get.httpStatus()).isZero();
      assertThat(get.getCause()).isInstanceOf(java.io.IOException.class);
      assertThat(retries.seen)
          .containsExactly("get-key#1:CONNECTION_FAILED", "get-key#2:CONNECTION_FAILED");

      retries.seen.clear();
      assertThat(
              catchThrowableOfType(
                      StrongroomConnectionException.class,
                      () -> client.decrypt("acme", blob, Map.of()))
                  .attempts())
          .isEqualTo(3);
      assertThat(retries.seen).hasSize(2);

      retries.seen.clear();
      assertThatThrownBy(
              () -> client.decryptAsync("acme", blob, Map.of()).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(StrongroomConnectionException.class)
          .satisfies(e -> assertThat(((StrongroomConnectionException) e).attempts()).isEqualTo(3));
      assertThat(retries.seen).hasSize(2);

      retries.seen.clear();
      assertThat(
              catchThrowableOfType(
                      StrongroomConnectionException.class,
                      () -> client.rotateKey("acme", "orders", revision))
                  .attempts())
          .as("a lifecycle call with If-Match is safe to repeat")
          .isEqualTo(3);

      // not safe to repeat: exactly one attempt
      retries.seen.clear();
      assertThat(
              catchThrowableOfType(
                      StrongroomConnectionException.class, () -> client.createKey("acme", "again"))
                  .attempts())
          .isEqualTo(1);
      assertThat(
              catchThrowableOfType(
                      StrongroomConnectionException.class, () -> client.rotateKey("acme", "orders"))
                  .attempts())
          .isEqualTo(1);
      assertThat(
              catchThrowableOfType(
                      StrongroomConnectionException.class,
                      () -> client.issueToken("acme", "app", null, null))
                  .attempts())
          .isEqualTo(1);
      assertThatThrownBy(() -> client.createTenantAsync("other", null).get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(StrongroomConnectionException.class)
          .satisfies(e -> assertThat(((StrongroomConnectionException) e).attempts()).isEqualTo(1));
      assertThat(retries.seen).isEmpty();
    }
  }

  // ------------------------------------- scripted stub --------------------------------------

  @Test
  void decryptIsRetriedThrough503sThenSucceeds() throws Exception {
    try (FakeStrongroomServer fake = FakeStrongroomServer.start(pki, false)) {
      fake.on(
          "POST",
          DECRYPT,
          Reply.error(503, "UNAVAILABLE"),
          Reply.error(503, "UNAVAILABLE"),
          Reply.json(200, OK_DECRYPT));
      Retries retries = new Retries();
      try (StrongroomClient c = fakeClient(fake, retries)) {
        DecryptResult r = c.decrypt("acme", new byte[] {9}, Map.of());
        assertThat(r.plaintext())
            .isEqualTo("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(fake.count("POST", DECRYPT)).isEqualTo(3);
        assertThat(retries.seen).containsExactly("decrypt#1:UNAVAILABLE", "decrypt#2:UNAVAILABLE");
      }
    }
  }

  @Test
  void asyncDecryptIsRetriedThrough503ThenSucceeds() throws Exception {
    try (FakeStrongroomServer fake = FakeStrongroomServer.start(pki, false)) {
      fake.on("POST", DECRYPT, Reply.error(503, "UNAVAILABLE"), Reply.json(200, OK_DECRYPT));
      Retries retries = new Retries();
      try (StrongroomClient c = fakeClient(fake, retries)) {
        assertThat(c.decryptAsync("acme", new byte[] {9}, null).get(10, TimeUnit.SECONDS).key())
            .isEqualTo("orders");
        assertThat(fake.count("POST", DECRYPT)).isEqualTo(2);
        assertThat(retries.seen).containsExactly("decrypt#1:UNAVAILABLE");
      }
    }
  }

  @Test
  void createKeyIsNotRetriedOn503() throws Exception {
    try (FakeStrongroomServer fake = FakeStrongroomServer.start(pki, false)) {
      fake.on(
          "POST",
          KEYS,
          Reply.error(503, "UNAVAILABLE"),
          Reply.json(201, "{\"name\":\"k\",\"revision\":1}"));
      Retries retries = new Retries();
      try (StrongroomClient c = fakeClient(fake, retries)) {
        UnavailableException e =
            catchThrowableOfType(UnavailableException.class, () -> c.createKey("acme", "k"));
        assertThat(e.isTransient()).isTrue();
        assertThat(e.requestId()).startsWith("fake-");
        assertThat(fake.count("POST", KEYS)).isEqualTo(1);
        assertThat(retries.seen).isEmpty();
      }
    }
  }

  @Test
  void createKeyIsRetriedOn429WhichTheServerAnswersBeforeHandlingARequest() throws Exception {
    try (FakeStrongroomServer fake = FakeStrongroomServer.start(pki, false)) {
      fake.on(
          "POST",
          KEYS,
          Reply.error(429, "RESOURCE_EXHAUSTED").withHeader("Retry-After", "0"),
          Reply.json(201, "{\"name\":\"k\",\"revision\":1}"));
      Retries retries = new Retries();
      try (StrongroomClient c = fakeClient(fake, retries)) {
        assertThat(c.createKey("acme", "k").name()).isEqualTo("k");
        assertThat(fake.count("POST", KEYS)).isEqualTo(2);
        assertThat(retries.seen).containsExactly("create-key#1:RESOURCE_EXHAUSTED");
      }
    }
  }

  @Test
  void retriesStopAtMaxAttempts() throws Exception {
    try (FakeStrongroomServer fake = FakeStrongroomServer.start(pki, false)) {
      fake.on("POST", DECRYPT, Reply.error(503, "UNAVAILABLE"));
      Retries retries = new Retries();
      try (StrongroomClient c = fakeClient(fake, retries)) {
        assertThatThrownBy(() -> c.decrypt("acme", new byte[] {9}, null))
            .isInstanceOf(UnavailableException.class);
        assertThat(fake.count("POST", DECRYPT)).isEqualTo(3);
      }
    }
  }

  @Test
  void resourceExhaustedHonoursRetryAfterAndEachAttemptGetsAFreshToken() throws Exception {
    try (FakeStrongroomServer fake = FakeStrongroomServer.start(pki, false)) {
      String path = "/v1/tenants/acme/keys/orders/encrypt";
      fake.on(
          "POST",
          path,
          Reply.error(429, "RESOURCE_EXHAUSTED").withHeader("Retry-After", "0"),
          Reply.json(200, "{\"ciphertext\":\"AQID\",\"key\":\"orders\",\"keyVersion\":4}"));
      AtomicInteger n = new AtomicInteger();
      try (StrongroomClient c =
          StrongroomClient.builder()
              .endpoint(fake.endpoint())
              .caCertificate(pki.caPem)
              .tokenSupplier(() -> "srt_token" + n.incrementAndGet())
              .retryPolicy(FAST)
              .build()) {
        EncryptResult r = c.encrypt("acme", "orders", new byte[] {1}, null);
        assertThat(r.ciphertext()).containsExactly(1, 2, 3);
        assertThat(r.keyVersion()).isEqualTo(4);
      }
      assertThat(fake.seen())
          .extracting(FakeStrongroomServer.Seen::authorization)
          .containsExactly("Bearer srt_token1", "Bearer srt_token2");
    }
  }

  @Test
  void lifecycleCallsRetryOnlyWithIfMatch() throws Exception {
    try (FakeStrongroomServer fake = FakeStrongroomServer.start(pki, false)) {
      String rotate = "/v1/tenants/acme/keys/orders/rotate";
      fake.on(
          "POST",
          rotate,
          Reply.error(503, "UNAVAILABLE"),
          Reply.json(200, "{\"name\":\"orders\",\"revision\":8,\"primaryVersion\":2}"),
          Reply.error(503, "UNAVAILABLE"));
      Retries retries = new Retries();
      try (StrongroomClient c = fakeClient(fake, retries)) {
        assertThat(c.rotateKey("acme", "orders", 7L).revision()).isEqualTo(8);
        assertThat(fake.count("POST", rotate)).isEqualTo(2);
        assertThat(fake.seen())
            .extracting(FakeStrongroomServer.Seen::ifMatch)
            .containsOnly("\"7\"");
        assertThatThrownBy(() -> c.rotateKey("acme", "orders"))
            .isInstanceOf(UnavailableException.class);
        assertThat(fake.count("POST", rotate)).isEqualTo(3);
      }
    }
  }

  @Test
  void errorAnswersWithoutAJsonBodyStillMapToTypedExceptions() throws Exception {
    try (FakeStrongroomServer fake = FakeStrongroomServer.start(pki, false)) {
      fake.on(
          "GET",
          "/v1/tenants/acme/keys/a",
          new Reply(502, "text/html", "<html>Bad Gateway</html>", Map.of()));
      fake.on("GET", "/v1/tenants/acme/keys/b", new Reply(500, "text/plain", "oops", Map.of()));
      fake.on("GET", "/v1/tenants/acme/keys/c", new Reply(418, null, "", Map.of()));
      fake.on("GET", "/v1/tenants/acme/keys/d", Reply.json(404, "{\"not\":\"an error\"}"));
      fake.on("GET", "/v1/tenants/acme/keys/e", Reply.json(200, "this is not json"));
      fake.on("GET", "/v1/tenants/acme/keys/f", Reply.error(400, "SOMETHING_NEW"));
      Retries retries = new Retries();
      try (StrongroomClient c = fakeClient(fake, retries)) {
        UnavailableException gateway =
            catchThrowableOfType(UnavailableException.class, () -> c.getKey("acme", "a"));
        assertThat(gateway.httpStatus()).isEqualTo(502);
        assertThat(gateway.getMessage()).contains("HTTP 502").contains("text/html");
        assertThat(gateway.requestId()).startsWith("fake-");
        assertThat(fake.count("GET", "/v1/tenants/acme/keys/a")).isEqualTo(3);

        assertThat(
                catchThrowableOfType(InternalException.class, () -> c.getKey("acme", "b")).code())
            .isEqualTo("INTERNAL");
        StrongroomException teapot =
            catchThrowableOfType(StrongroomException.class, () -> c.getKey("acme", "c"));
        assertThat(teapot.code()).isEqualTo("UNKNOWN");
        assertThat(teapot.httpStatus()).isEqualTo(418);
        assertThat(catchThrowableOfType(NotFoundException.class, () -> c.getKey("acme", "d")))
            .isNotNull();
        StrongroomException garbled =
            catchThrowableOfType(StrongroomException.class, () -> c.getKey("acme", "e"));
        assertThat(garbled.code()).isEqualTo(StrongroomException.INVALID_RESPONSE);
        StrongroomException unknown =
            catchThrowableOfType(StrongroomException.class, () -> c.getKey("acme", "f"));
        assertThat(unknown.getClass()).isEqualTo(StrongroomException.class);
        assertThat(unknown.code()).isEqualTo("SOMETHING_NEW");
        assertThat(unknown.httpStatus()).isEqualTo(400);
      }
    }
  }

  @Test
  void eachAttemptHasTheRequestTimeoutAndATimeoutIsRetriedWhereSafe() throws Exception {
    try (FakeStrongroomServer fake = FakeStrongroomServer.start(pki, false)) {
      fake.on(
          "POST", DECRYPT, Reply.json(200, OK_DECRYPT).delayed(1_500), Reply.json(200, OK_DECRYPT));
      fake.on("POST", KEYS, Reply.json(201, "{\"name\":\"k\"}").delayed(1_500));
      Retries retries = new Retries();
      try (StrongroomClient c =
          StrongroomClient.builder()
              .endpoint(fake.endpoint())
              .caCertificate(pki.caPem)
              .retryPolicy(FAST)
              .retryListener(retries)
              .requestTimeout(Duration.ofMillis(300))
              .build()) {
        assertThat(c.decrypt("acme", new byte[] {9}, null).key()).isEqualTo("orders");
        assertThat(fake.count("POST", DECRYPT)).isEqualTo(2);
        assertThat(retries.seen).containsExactly("decrypt#1:CONNECTION_FAILED");

        StrongroomConnectionException e =
            catchThrowableOfType(
                StrongroomConnectionException.class, () -> c.createKey("acme", "k"));
        assertThat(e.getCause()).isInstanceOf(java.net.http.HttpTimeoutException.class);
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(fake.count("POST", KEYS)).isEqualTo(1);
      }
    }
  }

  @Test
  void aThrowingListenerNeitherBreaksRetriesNorLeavesAFutureHanging() throws Exception {
    try (FakeStrongroomServer fake = FakeStrongroomServer.start(pki, false)) {
      fake.on("POST", DECRYPT, Reply.error(503, "UNAVAILABLE"), Reply.json(200, OK_DECRYPT));
      try (StrongroomClient c =
          StrongroomClient.builder()
              .endpoint(fake.endpoint())
              .caCertificate(pki.caPem)
              .retryPolicy(FAST)
              .retryListener(
                  (op, attempt, delay, failure) -> {
                    throw new IllegalStateException("listener bug");
                  })
              .build()) {
        assertThat(c.decrypt("acme", new byte[] {1}, null).key()).isEqualTo("orders");
      }
      fake.on("POST", "/v1/tenants/acme/re-encrypt", Reply.error(503, "UNAVAILABLE"));
      try (StrongroomClient c =
          StrongroomClient.builder()
              .endpoint(fake.endpoint())
              .caCertificate(pki.caPem)
              .retryPolicy(FAST)
              .retryListener(
                  (op, attempt, delay, failure) -> {
                    throw new AssertionError("listener error");
                  })
              .build()) {
        assertThatThrownBy(
                () ->
                    c.reEncryptAsync("acme", new byte[] {1}, null, null, null)
                        .get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(AssertionError.class);
      }
    }
  }

  @Test
  void backoffIsCappedAndJittered() {
    RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(2));
    for (int attempt = 1; attempt <= 9; attempt++) {
      long cap = Math.min(2000, 100L << (attempt - 1));
      for (int i = 0; i < 50; i++) {
        assertThat(p.delayAfter(attempt, null).toMillis()).isBetween(0L, cap);
      }
    }
    assertThat(p.delayAfter(1, Duration.ofSeconds(1)).toMillis()).isEqualTo(1000);
    assertThat(p.delayAfter(1, Duration.ofSeconds(60)).toMillis()).isEqualTo(2000);
    assertThat(RetryPolicy.defaults())
        .isEqualTo(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2)));
    assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @AfterAll
  static void done() {
    pki = null;
  }
}
