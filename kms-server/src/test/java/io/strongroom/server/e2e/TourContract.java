package io.strongroom.server.e2e;

import static io.strongroom.server.testing.ApiAssertions.assertError;
import static io.strongroom.server.testing.TestServer.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strongroom.server.testing.TestServer;
import io.strongroom.server.testing.TestServer.Response;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The README tour, end to end over real HTTPS: tenant, principal, key, data key, decrypt, rotate,
 * old blobs, re-encrypt, batch, settings with If-Match, lifecycle of keys and versions, paging,
 * audit and its verification. Runs on H2 ({@link TourE2ETest}) and PostgreSQL ({@link
 * TourPostgresE2ETest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TourContract {
  private static final Map<String, String> ORDER_42 = Map.of("order", "42");

  private TestServer server;

  /** Starts the server under test, on this suite's database. */
  abstract TestServer startServer() throws Exception;

  @BeforeAll
  void start() throws Exception {
    server = startServer();
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void readmeTour() {
    // A tenant, a principal with three roles (its first token comes back once), a key.
    server.createTenant("acme");
    Response principal =
        server.post(
            "/v1/tenants/acme/principals",
            server.adminToken(),
            obj("name", "app", "roles", List.of("key-admin", "key-user", "auditor")));
    assertThat(principal.status()).isEqualTo(201);
    assertThat(principal.json().path("roles").toString())
        .isEqualTo("[\"auditor\",\"key-admin\",\"key-user\"]");
    String app = principal.json().path("token").path("token").asText();
    assertThat(app).startsWith("srt_");

    Response created =
        server.post(
            "/v1/tenants/acme/keys",
            app,
            obj("name", "payments", "protection", "SOFTWARE", "rotationPeriod", "P90D"));
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    assertThat(created.json().path("state").asText()).isEqualTo("ENABLED");
    assertThat(created.json().path("rotationPeriod").asText()).isEqualTo("P90D");
    assertThat(created.json().path("primaryVersion").asInt()).isEqualTo(1);
    assertThat(created.etag()).isEqualTo("\"" + created.json().path("revision").asLong() + "\"");

    // A data key, bound to a context; decrypt gives the same bytes back.
    Response dataKey =
        server.post(
            "/v1/tenants/acme/keys/payments/generate-data-key", app, obj("context", ORDER_42));
    assertThat(dataKey.status()).as("%s", dataKey).isEqualTo(200);
    String dataKeyPlaintext = dataKey.json().path("plaintext").asText();
    String blobV1 = dataKey.json().path("ciphertext").asText();
    assertThat(Base64.getDecoder().decode(dataKeyPlaintext)).hasSize(32);
    assertThat(dataKey.json().path("keyVersion").asInt()).isEqualTo(1);

    JsonNode decrypted = decrypt(app, blobV1, ORDER_42);
    assertThat(decrypted.path("plaintext").asText()).isEqualTo(dataKeyPlaintext);
    assertThat(decrypted.path("key").asText()).isEqualTo("payments");
    assertThat(decrypted.path("keyVersion").asInt()).isEqualTo(1);
    assertError(
        server.post(
            "/v1/tenants/acme/decrypt",
            app,
            obj("ciphertext", blobV1, "context", Map.of("order", "43"))),
        400,
        "INVALID_CIPHERTEXT");

    // Rotate: version 2 becomes primary; the version-1 blob still decrypts.
    Response rotated = server.post("/v1/tenants/acme/keys/payments/rotate", app, null);
    assertThat(rotated.status()).as("%s", rotated).isEqualTo(200);
    assertThat(rotated.json().path("primaryVersion").asInt()).isEqualTo(2);
    assertThat(decrypt(app, blobV1, ORDER_42).path("keyVersion").asInt()).isEqualTo(1);
    assertThat(decrypt(app, blobV1, ORDER_42).path("plaintext").asText())
        .isEqualTo(dataKeyPlaintext);

    // Encrypt and decrypt under the new primary.
    String hello = b64("hello, strongroom");
    Response encrypted =
        server.post(
            "/v1/tenants/acme/keys/payments/encrypt",
            app,
            obj("plaintext", hello, "context", ORDER_42));
    assertThat(encrypted.status()).as("%s", encrypted).isEqualTo(200);
    assertThat(encrypted.json().path("keyVersion").asInt()).isEqualTo(2);
    String blobV2 = encrypted.json().path("ciphertext").asText();
    assertThat(decrypt(app, blobV2, ORDER_42).path("plaintext").asText()).isEqualTo(hello);

    // Re-encrypt the old blob to the new version, without the plaintext leaving the server.
    Response rewrapped =
        server.post(
            "/v1/tenants/acme/re-encrypt", app, obj("ciphertext", blobV1, "context", ORDER_42));
    assertThat(rewrapped.status()).as("%s", rewrapped).isEqualTo(200);
    assertThat(rewrapped.json().path("keyVersion").asInt()).isEqualTo(2);
    assertThat(rewrapped.json().path("sourceKeyVersion").asInt()).isEqualTo(1);
    assertThat(rewrapped.body()).doesNotContain(dataKeyPlaintext);
    String rewrappedBlob = rewrapped.json().path("ciphertext").asText();
    assertThat(decrypt(app, rewrappedBlob, ORDER_42).path("plaintext").asText())
        .isEqualTo(dataKeyPlaintext);

    // ... and to another key of the tenant under a new context.
    server.createKey("acme", app, "archive");
    Map<String, String> moved = Map.of("order", "42", "moved", "yes");
    Response toArchive =
        server.post(
            "/v1/tenants/acme/re-encrypt",
            app,
            obj(
                "ciphertext",
                blobV1,
                "context",
                ORDER_42,
                "destinationKey",
                "archive",
                "destinationContext",
                moved));
    assertThat(toArchive.status()).as("%s", toArchive).isEqualTo(200);
    assertThat(toArchive.json().path("key").asText()).isEqualTo("archive");
    assertThat(toArchive.json().path("sourceKey").asText()).isEqualTo("payments");
    String archived = toArchive.json().path("ciphertext").asText();
    JsonNode fromArchive = decrypt(app, archived, moved);
    assertThat(fromArchive.path("key").asText()).isEqualTo("archive");
    assertThat(fromArchive.path("plaintext").asText()).isEqualTo(dataKeyPlaintext);
    assertError(
        server.post(
            "/v1/tenants/acme/decrypt", app, obj("ciphertext", archived, "context", ORDER_42)),
        400,
        "INVALID_CIPHERTEXT");

    // A batch of good and bad items: one result or error per item, in order.
    Response batch =
        server.post(
            "/v1/tenants/acme/batch",
            app,
            obj(
                "items",
                List.of(
                    obj(
                        "op",
                        "encrypt",
                        "key",
                        "payments",
                        "plaintext",
                        hello,
                        "context",
                        ORDER_42),
                    obj("op", "decrypt", "ciphertext", "not base64!"),
                    obj("op", "generate-data-key", "key", "missing"),
                    obj("op", "decrypt", "ciphertext", blobV1, "context", ORDER_42),
                    obj("op", "decrypt", "ciphertext", blobV1, "context", Map.of("order", "1")),
                    obj("op", "sign", "key", "payments"),
                    obj("op", "re-encrypt", "ciphertext", blobV1, "context", ORDER_42),
                    obj(
                        "op",
                        "generate-data-key",
                        "key",
                        "payments",
                        "bytes",
                        16,
                        "includePlaintext",
                        false))));
    assertThat(batch.status()).as("%s", batch).isEqualTo(200);
    JsonNode results = batch.json().path("results");
    assertThat(results).hasSize(8);
    assertThat(results.get(0).path("keyVersion").asInt()).isEqualTo(2);
    assertThat(results.get(0).has("error")).isFalse();
    assertThat(results.get(1).path("error").path("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(results.get(2).path("error").path("code").asText()).isEqualTo("NOT_FOUND");
    assertThat(results.get(3).path("plaintext").asText()).isEqualTo(dataKeyPlaintext);
    assertThat(results.get(3).path("keyVersion").asInt()).isEqualTo(1);
    assertThat(results.get(4).path("error").path("code").asText()).isEqualTo("INVALID_CIPHERTEXT");
    assertThat(results.get(5).path("error").path("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(results.get(6).path("keyVersion").asInt()).isEqualTo(2);
    assertThat(results.get(6).path("sourceKeyVersion").asInt()).isEqualTo(1);
    assertThat(results.get(7).has("plaintext")).isFalse();
    assertThat(results.get(7).path("ciphertext").asText()).isNotEmpty();
    for (JsonNode r : results) {
      if (r.has("error")) {
        assertThat(r.path("error").path("requestId").asText()).isEqualTo(batch.requestId());
        assertThat(r.has("ciphertext") || r.has("plaintext")).isFalse();
      }
    }
    assertThat(
            decrypt(app, results.get(0).path("ciphertext").asText(), ORDER_42)
                .path("plaintext")
                .asText())
        .isEqualTo(hello);

    // Raise the decrypt floor with If-Match from a GET: the version-1 blob is refused.
    Response read = server.get("/v1/tenants/acme/keys/payments", app);
    assertThat(read.status()).isEqualTo(200);
    String etag = read.etag();
    assertThat(etag).isEqualTo("\"" + read.json().path("revision").asLong() + "\"");
    Response raised =
        server.patch("/v1/tenants/acme/keys/payments", app, obj("minDecryptVersion", 2), etag);
    assertThat(raised.status()).as("%s", raised).isEqualTo(200);
    assertThat(raised.json().path("minDecryptVersion").asInt()).isEqualTo(2);
    assertThat(raised.etag()).isNotEqualTo(etag);
    assertError(
        server.post(
            "/v1/tenants/acme/decrypt", app, obj("ciphertext", blobV1, "context", ORDER_42)),
        400,
        "FAILED_PRECONDITION");
    assertThat(decrypt(app, blobV2, ORDER_42).path("plaintext").asText()).isEqualTo(hello);
    // The same ETag again is stale now.
    assertError(
        server.patch("/v1/tenants/acme/keys/payments", app, obj("minDecryptVersion", 1), etag),
        409,
        "CONFLICT");
    Response lowered =
        server.patch(
            "/v1/tenants/acme/keys/payments", app, obj("minDecryptVersion", 1), raised.etag());
    assertThat(lowered.status()).as("%s", lowered).isEqualTo(200);
    assertThat(decrypt(app, blobV1, ORDER_42).path("keyVersion").asInt()).isEqualTo(1);

    // Disable: no use at all; enable: back in service.
    Response disabled = server.post("/v1/tenants/acme/keys/payments/disable", app, null);
    assertThat(disabled.json().path("state").asText()).isEqualTo("DISABLED");
    assertError(
        server.post("/v1/tenants/acme/keys/payments/encrypt", app, obj("plaintext", hello)),
        400,
        "FAILED_PRECONDITION");
    assertError(
        server.post(
            "/v1/tenants/acme/decrypt", app, obj("ciphertext", blobV2, "context", ORDER_42)),
        400,
        "FAILED_PRECONDITION");
    Response enabled = server.post("/v1/tenants/acme/keys/payments/enable", app, null);
    assertThat(enabled.json().path("state").asText()).isEqualTo("ENABLED");
    assertThat(decrypt(app, blobV2, ORDER_42).path("plaintext").asText()).isEqualTo(hello);

    versionLifecycle(app, blobV1);

    // Versions list.
    Response versions = server.get("/v1/tenants/acme/keys/payments/versions", app);
    assertThat(versions.status()).isEqualTo(200);
    assertThat(versions.json().path("versions")).hasSize(2);
    assertThat(versions.json().path("versions").get(0).path("version").asInt()).isEqualTo(1);
    assertThat(versions.json().path("versions").get(1).path("primary").asBoolean()).isTrue();
    assertThat(versions.json().path("versions").get(1).path("state").asText()).isEqualTo("ENABLED");

    auditShowsTheTourButNoSecret(app, List.of(dataKeyPlaintext, hello));

    // The chain over everything so far verifies.
    Response verify = server.post("/v1/audit/verify", server.adminToken(), null);
    assertThat(verify.status()).as("%s", verify).isEqualTo(200);
    assertThat(verify.json().path("ok").asBoolean()).isTrue();
    assertThat(verify.json().path("records").asLong()).isPositive();
    assertThat(verify.json().has("firstBadSeq")).isFalse();
  }

  /** Version 1 of acme/payments (version 2 primary): disable, enable, primary, destroy. */
  private void versionLifecycle(String app, String blobV1) {
    String v1 = "/v1/tenants/acme/keys/payments/versions/1";
    Response off = server.post(v1 + "/disable", app, null);
    assertThat(off.status()).as("%s", off).isEqualTo(200);
    assertThat(off.json().path("state").asText()).isEqualTo("DISABLED");
    assertError(
        server.post(
            "/v1/tenants/acme/decrypt", app, obj("ciphertext", blobV1, "context", ORDER_42)),
        400,
        "FAILED_PRECONDITION");
    Response on = server.post(v1 + "/enable", app, null);
    assertThat(on.json().path("state").asText()).isEqualTo("ENABLED");
    assertThat(decrypt(app, blobV1, ORDER_42).path("keyVersion").asInt()).isEqualTo(1);

    Response primary = server.post(v1 + "/make-primary", app, null);
    assertThat(primary.status()).as("%s", primary).isEqualTo(200);
    assertThat(primary.json().path("primary").asBoolean()).isTrue();
    Response onV1 =
        server.post("/v1/tenants/acme/keys/payments/encrypt", app, obj("plaintext", b64("x")));
    assertThat(onV1.json().path("keyVersion").asInt()).isEqualTo(1);
    assertThat(
            server
                .post("/v1/tenants/acme/keys/payments/versions/2/make-primary", app, null)
                .status())
        .isEqualTo(200);

    // Destroy is scheduled 7-30 days out; nothing is due now.
    Response scheduled = server.post(v1 + "/schedule-destroy", app, obj("pendingDays", 7));
    assertThat(scheduled.status()).as("%s", scheduled).isEqualTo(200);
    assertThat(scheduled.json().path("state").asText()).isEqualTo("DESTROY_SCHEDULED");
    Instant destroyAt = Instant.parse(scheduled.json().path("destroyAt").asText());
    assertThat(Duration.between(Instant.now(), destroyAt))
        .isBetween(Duration.ofDays(7).minusMinutes(5), Duration.ofDays(7).plusMinutes(5));
    assertError(
        server.post(
            "/v1/tenants/acme/decrypt", app, obj("ciphertext", blobV1, "context", ORDER_42)),
        400,
        "FAILED_PRECONDITION");
    // The server runs on the system clock, so destroy-when-due can only be checked for "not yet"
    // here; kms-core's lifecycle test drives it past the window with a controlled clock.
    assertThat(server.server().keys().destroyDue(due -> {}).destroyed()).isEmpty();
    assertThat(server.get(v1, app).json().path("state").asText()).isEqualTo("DESTROY_SCHEDULED");

    Response cancelled = server.post(v1 + "/cancel-destroy", app, null);
    assertThat(cancelled.status()).as("%s", cancelled).isEqualTo(200);
    assertThat(cancelled.json().path("state").asText()).isEqualTo("DISABLED");
    assertThat(cancelled.json().has("destroyAt")).isFalse();
    assertThat(server.post(v1 + "/enable", app, null).status()).isEqualTo(200);
    assertThat(decrypt(app, blobV1, ORDER_42).path("keyVersion").asInt()).isEqualTo(1);

    assertError(
        server.post(v1 + "/schedule-destroy", app, obj("pendingDays", 6)), 400, "INVALID_ARGUMENT");
    assertError(
        server.post(v1 + "/schedule-destroy", app, obj("pendingDays", 31)),
        400,
        "INVALID_ARGUMENT");
    assertError(
        server.post(
            "/v1/tenants/acme/keys/payments/versions/2/schedule-destroy",
            app,
            obj("pendingDays", 7)),
        400,
        "FAILED_PRECONDITION");
    assertError(
        server.post("/v1/tenants/acme/keys/payments/schedule-destroy", app, obj("pendingDays", 6)),
        400,
        "INVALID_ARGUMENT");

    // The whole key: scheduled (default 30 days), cancelled (lands DISABLED), re-enabled.
    Response keyScheduled =
        server.post("/v1/tenants/acme/keys/payments/schedule-destroy", app, null);
    assertThat(keyScheduled.json().path("state").asText()).isEqualTo("DESTROY_SCHEDULED");
    assertThat(
            Duration.between(
                Instant.now(), Instant.parse(keyScheduled.json().path("destroyAt").asText())))
        .isBetween(Duration.ofDays(30).minusMinutes(5), Duration.ofDays(30).plusMinutes(5));
    assertThat(server.server().keys().destroyDue(due -> {}).destroyed()).isEmpty();
    Response keyCancelled = server.post("/v1/tenants/acme/keys/payments/cancel-destroy", app, null);
    assertThat(keyCancelled.json().path("state").asText()).isEqualTo("DISABLED");
    assertThat(
            server
                .post("/v1/tenants/acme/keys/payments/enable", app, null)
                .json()
                .path("state")
                .asText())
        .isEqualTo("ENABLED");
  }

  private void auditShowsTheTourButNoSecret(String app, List<String> secrets) {
    List<JsonNode> records = new ArrayList<>();
    StringBuilder everything = new StringBuilder();
    String token = null;
    do {
      Response page =
          server.get(
              "/v1/tenants/acme/audit?pageSize=50" + (token == null ? "" : "&pageToken=" + token),
              app);
      assertThat(page.status()).as("%s", page).isEqualTo(200);
      everything.append(page.body());
      page.json().path("records").forEach(records::add);
      token = page.json().path("nextPageToken").asText(null);
    } while (token != null);

    assertThat(records).isNotEmpty();
    assertThat(records)
        .anySatisfy(
            r -> {
              assertThat(r.path("operation").asText()).isEqualTo("generate-data-key");
              assertThat(r.path("principal").asText()).isEqualTo("acme/app");
              assertThat(r.path("tenant").asText()).isEqualTo("acme");
              assertThat(r.path("key").asText()).isEqualTo("payments");
              assertThat(r.path("keyVersion").asInt()).isEqualTo(1);
              assertThat(r.path("context").path("order").asText()).isEqualTo("42");
              assertThat(r.path("outcome").asText()).isEqualTo("OK");
              assertThat(r.path("requestId").asText()).isNotBlank();
              assertThat(r.path("source").asText()).isEqualTo("127.0.0.1");
            });
    assertThat(records)
        .anySatisfy(
            r -> {
              assertThat(r.path("operation").asText()).isEqualTo("decrypt");
              assertThat(r.path("key").asText()).isEqualTo("payments");
              assertThat(r.path("keyVersion").asInt()).isEqualTo(1);
              assertThat(r.path("context").path("order").asText()).isEqualTo("42");
              assertThat(r.path("outcome").asText()).isEqualTo("OK");
            });
    // Refusals are recorded too, with their error code.
    assertThat(records)
        .anySatisfy(
            r -> {
              assertThat(r.path("operation").asText()).isEqualTo("encrypt");
              assertThat(r.path("key").asText()).isEqualTo("payments");
              assertThat(r.path("outcome").asText()).isEqualTo("ERROR");
              assertThat(r.path("errorCode").asText()).isEqualTo("FAILED_PRECONDITION");
            });
    assertThat(records)
        .anySatisfy(
            r -> {
              assertThat(r.path("operation").asText()).isEqualTo("decrypt");
              assertThat(r.path("outcome").asText()).isEqualTo("ERROR");
              assertThat(r.path("errorCode").asText()).isEqualTo("INVALID_CIPHERTEXT");
            });
    // The batch is one record naming each item, in order, with its own outcome.
    List<JsonNode> batchRecords = new ArrayList<>();
    records.forEach(
        r -> {
          if (r.path("operation").asText().equals("batch")) {
            batchRecords.add(r);
          }
        });
    assertThat(batchRecords).hasSize(1);
    JsonNode batchRecord = batchRecords.get(0);
    assertThat(batchRecord.path("operation").asText()).isEqualTo("batch");
    assertThat(batchRecord.path("outcome").asText()).isEqualTo("OK");
    assertThat(batchRecord.has("key")).isFalse();
    JsonNode items = batchRecord.path("items");
    assertThat(items).hasSize(8);
    List<String> itemSummaries = new ArrayList<>();
    items.forEach(
        i ->
            itemSummaries.add(
                i.path("operation").asText()
                    + " "
                    + i.path("key").asText("-")
                    + " v"
                    + i.path("keyVersion").asText("-")
                    + " "
                    + i.path("outcome").asText()
                    + " "
                    + i.path("errorCode").asText("-")));
    assertThat(itemSummaries)
        .containsExactly(
            "encrypt payments v2 OK -",
            "decrypt - v- ERROR INVALID_ARGUMENT",
            "generate-data-key missing v- ERROR NOT_FOUND",
            "decrypt payments v1 OK -",
            "decrypt payments v1 ERROR INVALID_CIPHERTEXT",
            "unknown payments v- ERROR INVALID_ARGUMENT",
            "re-encrypt payments v2 OK -",
            "generate-data-key payments v2 OK -");
    assertThat(items.get(0).path("context").path("order").asText()).isEqualTo("42");
    assertThat(items.get(4).path("context").path("order").asText()).isEqualTo("1");
    assertThat(records)
        .anySatisfy(r -> assertThat(r.path("operation").asText()).isEqualTo("rotate-key"));
    // Sequence numbers only increase.
    long previous = 0;
    for (JsonNode r : records) {
      assertThat(r.path("seq").asLong()).isGreaterThan(previous);
      previous = r.path("seq").asLong();
    }
    for (String secret : secrets) {
      assertThat(everything.toString()).doesNotContain(secret);
    }
  }

  @Test
  void listKeysPagesThroughEveryKey() {
    server.createTenant("paging");
    String admin = server.createPrincipal("paging", "admin", "key-admin");
    List<String> names = List.of("k-a", "k-b", "k-c", "k-d", "k-e");
    for (String n : names.reversed()) {
      server.createKey("paging", admin, n);
    }
    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      Response page =
          server.get(
              "/v1/tenants/paging/keys?pageSize=1" + (token == null ? "" : "&pageToken=" + token),
              admin);
      assertThat(page.status()).as("%s", page).isEqualTo(200);
      assertThat(page.json().path("keys")).hasSize(1);
      seen.add(page.json().path("keys").get(0).path("name").asText());
      token = page.json().path("nextPageToken").asText(null);
      pages++;
    } while (token != null && pages < 20);
    assertThat(seen).containsExactlyElementsOf(names);
    assertThat(server.get("/v1/tenants/paging/keys", admin).json().path("keys")).hasSize(5);
    assertThat(server.get("/v1/tenants/paging/keys", admin).json().has("nextPageToken")).isFalse();
  }

  @Test
  void http2IsNegotiatedAndHttp11WorksWhenForced() {
    Response h2 = server.get("/v1/tenants", server.adminToken());
    assertThat(h2.status()).isEqualTo(200);
    assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);

    Response h1 =
        server.send(
            HttpClient.Version.HTTP_1_1, "GET", "/v1/tenants", server.adminToken(), null, Map.of());
    assertThat(h1.status()).isEqualTo(200);
    assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(h1.requestId()).isNotEqualTo(h2.requestId());
  }

  @Test
  void operationalEndpointsAnswerWithRequestIds() {
    assertError(server.get("/v1/tenants", null), 401, "UNAUTHENTICATED");
    for (String path : List.of("/healthz", "/readyz", "/metrics", "/openapi.yaml")) {
      Response r = server.get(path, null);
      assertThat(r.status()).as("%s: %s", path, r).isEqualTo(200);
      assertThat(r.requestId()).isNotBlank();
    }
    assertThat(server.get("/readyz", null).json().path("status").asText()).isEqualTo("UP");
    String metrics = server.get("/metrics", null).body();
    assertThat(metrics).contains("strongroom_requests");
    // every answered call above had its audit record committed in some group
    assertThat(metric(metrics, "strongroom_audit_group_records_count")).isPositive();
    assertThat(metric(metrics, "strongroom_audit_group_records_sum"))
        .isGreaterThanOrEqualTo(metric(metrics, "strongroom_audit_group_records_count"));
    assertThat(metric(metrics, "strongroom_audit_group_commit_seconds_count")).isPositive();
    // the servers' connection handler ran for this test's connection
    assertThat(metric(metrics, "strongroom_http_connections_total")).isPositive();
  }

  private static double metric(String scrape, String name) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " missing from /metrics"));
  }

  private JsonNode decrypt(String token, String blob, Map<String, String> context) {
    Response r =
        server.post("/v1/tenants/acme/decrypt", token, obj("ciphertext", blob, "context", context));
    assertThat(r.status()).as("decrypt: %s", r).isEqualTo(200);
    return r.json();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
