package io.strongroom.server.e2e;

import static io.strongroom.server.testing.ApiAssertions.assertError;
import static io.strongroom.server.testing.TestServer.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.strongroom.core.testing.MutableClock;
import io.strongroom.hsm.Pkcs11RootKey;
import io.strongroom.hsm.Pkcs11Token;
import io.strongroom.hsm.testing.SoftHsm;
import io.strongroom.server.config.HsmConfig;
import io.strongroom.server.config.ServerConfig;
import io.strongroom.server.testing.TestServer;
import io.strongroom.server.testing.TestServer.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The server with its root of trust in a real SoftHSM2 token and an HSM-protected key, over HTTPS:
 * create, data keys, decrypt, rotate, old blobs, disable, schedule destroy; concurrent callers; the
 * token lost while serving and back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HsmE2ETest {
  private static final String TOKEN = "strongroom-server";
  private static final String ROOT = "e2e-root";
  private static final Map<String, String> CTX = Map.of("volume", "vol-7");

  /** The server's clock: the test moves it past a pending window; it ticks in milliseconds. */
  private final MutableClock clock =
      new MutableClock(Instant.ofEpochMilli(System.currentTimeMillis()));

  private TestServer server;
  private String app;

  @BeforeAll
  void start() throws Exception {
    try (Pkcs11Token token = Pkcs11Token.open(SoftHsm.config(TOKEN), new SimpleMeterRegistry())) {
      token.ensureProbeKey();
      Pkcs11RootKey.create(token, ROOT);
    }
    server =
        TestServer.start(
            c -> {
              ServerConfig.Builder b =
                  c.withHsm(new HsmConfig(SoftHsm.config(TOKEN), true, ROOT)).toBuilder();
              b.destroyCheckInterval = Duration.ofMillis(200);
              return b.build();
            },
            clock);
    server.createTenant("acme");
    Response principal =
        server.post(
            "/v1/tenants/acme/principals",
            server.adminToken(),
            obj(
                "name",
                "app",
                "roles",
                List.of("key-admin", "key-user", "auditor"),
                // outlives the pending window the test lets pass
                "tokenTtl",
                "P30D"));
    app = principal.json().path("token").path("token").asText();
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Response dataKey(String key) {
    return server.post(
        "/v1/tenants/acme/keys/" + key + "/generate-data-key", app, obj("context", CTX));
  }

  private JsonNode version(int n) {
    Response r = server.get("/v1/tenants/acme/keys/volumes/versions/" + n, app);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    return r.json();
  }

  private Response decrypt(String blob) {
    return server.post("/v1/tenants/acme/decrypt", app, obj("ciphertext", blob, "context", CTX));
  }

  @Test
  void anHsmKeyThroughItsWholeLifeWithTheRootInTheToken() throws Exception {
    assertThat(server.get("/readyz", null).body())
        .contains("\"rootKey\"")
        .contains("\"custodian.HSM\"");
    Response created =
        server.post("/v1/tenants/acme/keys", app, obj("name", "volumes", "protection", "HSM"));
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    assertThat(created.json().path("protection").asText()).isEqualTo("HSM");

    Response dk = dataKey("volumes");
    assertThat(dk.status()).as("%s", dk).isEqualTo(200);
    String plaintext = dk.json().path("plaintext").asText();
    String blob1 = dk.json().path("ciphertext").asText();
    // header 22 + HSM payload: format 1 + IV 12 + 32-byte data key + tag 16 (FORMATS.md §1)
    assertThat(Base64.getDecoder().decode(blob1)).hasSize(83);
    assertThat(decrypt(blob1).json().path("plaintext").asText()).isEqualTo(plaintext);
    assertError(
        server.post(
            "/v1/tenants/acme/decrypt",
            app,
            obj("ciphertext", blob1, "context", Map.of("volume", "vol-8"))),
        400,
        "INVALID_CIPHERTEXT");

    assertThat(server.post("/v1/tenants/acme/keys/volumes/rotate", app, null).status())
        .isEqualTo(200);
    Response dk2 = dataKey("volumes");
    assertThat(dk2.json().path("keyVersion").asInt()).isEqualTo(2);
    assertThat(decrypt(blob1).json().path("plaintext").asText()).isEqualTo(plaintext);
    assertThat(decrypt(dk2.json().path("ciphertext").asText()).json().path("keyVersion").asInt())
        .isEqualTo(2);

    assertThat(server.post("/v1/tenants/acme/keys/volumes/disable", app, null).status())
        .isEqualTo(200);
    assertError(dataKey("volumes"), 400, "FAILED_PRECONDITION");
    assertThat(server.post("/v1/tenants/acme/keys/volumes/enable", app, null).status())
        .isEqualTo(200);
    Response scheduled =
        server.post(
            "/v1/tenants/acme/keys/volumes/versions/1/schedule-destroy",
            app,
            obj("pendingDays", 7));
    assertThat(scheduled.status()).as("%s", scheduled).isEqualTo(200);
    assertError(decrypt(blob1), 400, "FAILED_PRECONDITION");
    String keyId = created.json().path("id").asText();
    String v1Label = "sr-" + keyId + "-v1-";
    assertThat(SoftHsm.pkcs11Tool(TOKEN, "--list-objects", "--type", "secrkey")).contains(v1Label);

    // The running server destroys the version once its window has passed, and not before.
    clock.advance(Duration.ofDays(7).minusMinutes(1));
    Thread.sleep(600); // three runs of the destruction check
    assertThat(version(1).path("state").asText()).isEqualTo("DESTROY_SCHEDULED");
    clock.advance(Duration.ofMinutes(2));
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!version(1).path("state").asText().equals("DESTROYED") && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(version(1).path("state").asText()).isEqualTo("DESTROYED");
    assertThat(SoftHsm.pkcs11Tool(TOKEN, "--list-objects", "--type", "secrkey"))
        .doesNotContain(v1Label)
        .contains("sr-" + keyId + "-v2-");
    assertError(decrypt(blob1), 400, "FAILED_PRECONDITION");
    assertThat(decrypt(dk2.json().path("ciphertext").asText()).status()).isEqualTo(200);
    JsonNode beginRecord = null;
    JsonNode destroyedRecord = null;
    for (JsonNode r :
        server.get("/v1/tenants/acme/audit?pageSize=1000", app).json().path("records")) {
      if (r.path("operation").asText().equals("begin-destroy-due-version")) {
        beginRecord = r;
      }
      if (r.path("operation").asText().equals("destroy-due-version")) {
        destroyedRecord = r;
      }
    }
    assertThat(beginRecord).as("the record written before the destruction").isNotNull();
    assertThat(destroyedRecord).as("the destruction's audit record").isNotNull();
    assertThat(beginRecord.path("seq").asLong()).isLessThan(destroyedRecord.path("seq").asLong());
    assertThat(beginRecord.path("keyVersion").asInt()).isEqualTo(1);
    assertThat(destroyedRecord.path("key").asText()).isEqualTo("volumes");
    assertThat(destroyedRecord.path("keyVersion").asInt()).isEqualTo(1);
    assertThat(destroyedRecord.has("principal")).isFalse();
    assertThat(destroyedRecord.path("source").asText()).isEqualTo("scheduler");
    assertThat(server.get("/metrics", null).body())
        .contains("strongroom_destroy_versions_total 1.0");

    assertThat(server.get("/metrics", null).body())
        .contains("strongroom_hsm_calls_seconds_count{op=\"encrypt\",outcome=\"ok\"}")
        .contains("strongroom_hsm_sessions_limit")
        .contains("strongroom_hsm_up 1.0");
  }

  @Test
  void concurrentCallersAllGetTheirOwnDataKeysBack() throws Exception {
    server.post("/v1/tenants/acme/keys", app, obj("name", "fields", "protection", "HSM"));
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        results.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 20; i++) {
                    Response dk = dataKey("fields");
                    assertThat(dk.status()).as("%s", dk).isEqualTo(200);
                    Response back = decrypt(dk.json().path("ciphertext").asText());
                    assertThat(back.json().path("plaintext").asText())
                        .isEqualTo(dk.json().path("plaintext").asText());
                  }
                  return 20;
                }));
      }
      int n = 0;
      for (Future<Integer> f : results) {
        n += f.get();
      }
      assertThat(n).isEqualTo(320);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void whileTheTokenIsGoneCallsAnswer503ThenServiceResumesWithNothingLost() throws Exception {
    server.post("/v1/tenants/acme/keys", app, obj("name", "backups", "protection", "HSM"));
    List<String[]> made = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Response dk = dataKey("backups");
      made.add(
          new String[] {
            dk.json().path("ciphertext").asText(), dk.json().path("plaintext").asText()
          });
    }

    Path dir = SoftHsm.tokenDirectory(TOKEN);
    Path away = dir.getParent().resolveSibling(dir.getFileName() + ".away");
    Files.move(dir, away, StandardCopyOption.ATOMIC_MOVE);
    try {
      long until = System.nanoTime() + 10_000_000_000L;
      while (server.get("/readyz", null).status() == 200 && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      Response ready = server.get("/readyz", null);
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.body()).contains("custodian.HSM");
      for (int i = 0; i < 3; i++) {
        Response r = decrypt(made.get(0)[0]);
        assertError(r, 503, "UNAVAILABLE");
        // the reason, without the library path or the token's labels
        assertThat(r.errorMessage())
            .startsWith("the HSM is unavailable (")
            .doesNotContain("Exception")
            .doesNotContain("/usr/lib")
            .doesNotContain(TOKEN);
        assertError(dataKey("backups"), 503, "UNAVAILABLE");
      }
    } finally {
      Files.move(away, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    long deadline = System.nanoTime() + 30_000_000_000L;
    while (server.get("/readyz", null).status() != 200) {
      assertThat(System.nanoTime()).as("service resumed within 30 s").isLessThan(deadline);
      Thread.sleep(200);
    }
    for (String[] m : made) {
      assertThat(decrypt(m[0]).json().path("plaintext").asText()).isEqualTo(m[1]);
    }
    Response fresh = dataKey("backups");
    assertThat(fresh.status()).isEqualTo(200);
    assertThat(Base64.getDecoder().decode(fresh.json().path("plaintext").asText())).hasSize(32);
    // the audit chain recorded the refusals and still verifies
    Response verify = server.post("/v1/audit/verify", server.adminToken(), null);
    assertThat(verify.status()).as("%s", verify).isEqualTo(200);
    assertThat(verify.json().path("ok").asBoolean()).as("%s", verify).isTrue();
  }
}
