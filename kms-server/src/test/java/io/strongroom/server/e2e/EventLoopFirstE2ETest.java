package io.strongroom.server.e2e;

import static io.strongroom.server.testing.TestServer.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strongroom.server.testing.TestServer;
import io.strongroom.server.testing.TestServer.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The four cryptographic calls run on the event loop once their token, key and material are cached,
 * and on a worker when something must be loaded; either way the answer is the same, and every call
 * is audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventLoopFirstE2ETest {
  private static final Map<String, String> CTX = Map.of("table", "orders");
  private TestServer server;
  private String app;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start();
    server.createTenant("acme");
    app = server.createPrincipal("acme", "app", "key-admin", "key-user");
    server.createKey("acme", app, "k");
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private double handlers(String thread) {
    Matcher m =
        Pattern.compile("strongroom_handlers_total\\{thread=\"" + thread + "\"} (\\S+)")
            .matcher(server.get("/metrics", null).body());
    assertThat(m.find()).as("metric for %s", thread).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void cachedCallsRunOnTheEventLoopAndColdOnesOnAWorker() {
    // cold: the key's ring and material are loaded on a worker
    Response first =
        server.post("/v1/tenants/acme/keys/k/generate-data-key", app, obj("context", CTX));
    assertThat(first.status()).isEqualTo(200);

    double loop = handlers("event-loop");
    double worker = handlers("worker");
    String blob = null;
    for (int i = 0; i < 5; i++) {
      Response gdk =
          server.post("/v1/tenants/acme/keys/k/generate-data-key", app, obj("context", CTX));
      assertThat(gdk.status()).isEqualTo(200);
      blob = gdk.json().path("ciphertext").asText();
      Response dec =
          server.post("/v1/tenants/acme/decrypt", app, obj("ciphertext", blob, "context", CTX));
      assertThat(dec.status()).isEqualTo(200);
      assertThat(dec.json().path("plaintext").asText())
          .isEqualTo(gdk.json().path("plaintext").asText());
    }
    Response enc =
        server.post(
            "/v1/tenants/acme/keys/k/encrypt", app, obj("plaintext", "aGk=", "context", CTX));
    assertThat(enc.status()).isEqualTo(200);
    Response re =
        server.post("/v1/tenants/acme/re-encrypt", app, obj("ciphertext", blob, "context", CTX));
    assertThat(re.status()).isEqualTo(200);
    assertThat(handlers("event-loop") - loop).isEqualTo(12);
    assertThat(handlers("worker") - worker).isZero();

    // a key that is not cached yet: the first call goes to a worker, the next stay on the loop
    server.createKey("acme", app, "k2");
    loop = handlers("event-loop");
    worker = handlers("worker");
    for (int i = 0; i < 3; i++) {
      assertThat(
              server
                  .post("/v1/tenants/acme/keys/k2/generate-data-key", app, obj("context", CTX))
                  .status())
          .isEqualTo(200);
    }
    assertThat(handlers("worker") - worker).isEqualTo(1);
    assertThat(handlers("event-loop") - loop).isEqualTo(2);

    // each call, the one that moved to a worker included, has one complete audit record
    Response audit = server.get("/v1/tenants/acme/audit?pageSize=1000", server.adminToken());
    assertThat(audit.status()).isEqualTo(200);
    List<JsonNode> k2 = new ArrayList<>();
    audit
        .json()
        .path("records")
        .forEach(
            r -> {
              if ("k2".equals(r.path("key").asText())
                  && "generate-data-key".equals(r.path("operation").asText())) {
                k2.add(r);
              }
            });
    assertThat(k2).hasSize(3);
    assertThat(k2.stream().map(r -> r.path("requestId").asText()).distinct()).hasSize(3);
    assertThat(k2)
        .allSatisfy(
            r -> {
              assertThat(r.path("keyVersion").asInt()).isEqualTo(1);
              assertThat(r.path("principal").asText()).isEqualTo("acme/app");
              assertThat(r.path("context").path("table").asText()).isEqualTo("orders");
              assertThat(r.path("outcome").asText()).isEqualTo("OK");
            });
  }

  @Test
  void aBatchRunsOnTheBatchPool() {
    double worker = handlers("worker");
    double batchPool = handlers("batch-pool");
    Response batch =
        server.post(
            "/v1/tenants/acme/batch",
            app,
            obj(
                "items",
                List.of(
                    obj("op", "generate-data-key", "key", "k", "context", CTX),
                    obj("op", "generate-data-key", "key", "k", "context", CTX))));
    assertThat(batch.status()).isEqualTo(200);
    assertThat(batch.json().path("results")).hasSize(2);
    assertThat(handlers("batch-pool") - batchPool).isEqualTo(1);
    assertThat(handlers("worker") - worker).isZero();
  }

  @Test
  void serverRunsOnTheNativeTransportBundledForLinux() {
    assertThat(server.server().nativeTransport()).isTrue();
  }

  @Test
  void errorsOnTheEventLoopAreTheSameErrors() {
    Response wrongContext =
        server.post(
            "/v1/tenants/acme/decrypt",
            app,
            obj(
                "ciphertext",
                server
                    .post("/v1/tenants/acme/keys/k/generate-data-key", app, obj("context", CTX))
                    .json()
                    .path("ciphertext")
                    .asText(),
                "context",
                Map.of("table", "other")));
    assertThat(wrongContext.status()).isEqualTo(400);
    assertThat(wrongContext.errorCode()).isEqualTo("INVALID_CIPHERTEXT");
    Response noKey =
        server.post("/v1/tenants/acme/keys/missing/generate-data-key", app, obj("context", CTX));
    assertThat(noKey.status()).isEqualTo(404);
    assertThat(noKey.errorCode()).isEqualTo("NOT_FOUND");
    Response badToken =
        server.post("/v1/tenants/acme/keys/k/generate-data-key", "srt_nope", obj("context", CTX));
    assertThat(badToken.status()).isEqualTo(401);
    Response verify = server.post("/v1/audit/verify", server.adminToken(), null);
    assertThat(verify.json().path("ok").asBoolean()).as(verify.toString()).isTrue();
  }
}
