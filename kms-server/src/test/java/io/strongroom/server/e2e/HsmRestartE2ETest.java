package io.strongroom.server.e2e;

import static io.strongroom.server.testing.TestServer.obj;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.strongroom.hsm.Pkcs11RootKey;
import io.strongroom.hsm.Pkcs11Token;
import io.strongroom.hsm.testing.SoftHsm;
import io.strongroom.server.config.HsmConfig;
import io.strongroom.server.config.ServerConfig;
import io.strongroom.server.testing.TestServer;
import io.strongroom.server.testing.TestServer.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart with the root of trust in the token: the new process finds the root key again by its
 * label, unwraps the audit key, the TLS key and SOFTWARE material with it, and finds the HSM key
 * versions again by their handles; everything made before the restart decrypts after it.
 */
class HsmRestartE2ETest {
  private static final String TOKEN = "strongroom-server";
  private static final Map<String, String> CTX = Map.of("backup", "2026-11-22");

  @TempDir Path dir;

  @Test
  void everythingMadeBeforeARestartDecryptsAfterIt() throws Exception {
    String root = "restart-root-" + System.nanoTime();
    try (Pkcs11Token token = Pkcs11Token.open(SoftHsm.config(TOKEN), new SimpleMeterRegistry())) {
      token.ensureProbeKey();
      Pkcs11RootKey.create(token, root);
    }
    UnaryOperator<ServerConfig> hsm =
        c -> c.withHsm(new HsmConfig(SoftHsm.config(TOKEN), true, root));
    Path data = dir.resolve("data");
    String app;
    String admin;
    String hsmBlob;
    String hsmPlain;
    String softBlob;
    String softPlain;
    try (TestServer first = TestServer.startIn(data, hsm)) {
      first.createTenant("acme");
      admin = first.adminToken();
      app =
          first
              .post(
                  "/v1/tenants/acme/principals",
                  first.adminToken(),
                  obj("name", "app", "roles", List.of("key-admin", "key-user")))
              .json()
              .path("token")
              .path("token")
              .asText();
      first.post("/v1/tenants/acme/keys", app, obj("name", "in-hsm", "protection", "HSM"));
      first.post("/v1/tenants/acme/keys", app, obj("name", "soft", "protection", "SOFTWARE"));
      Response a =
          first.post("/v1/tenants/acme/keys/in-hsm/generate-data-key", app, obj("context", CTX));
      Response b =
          first.post("/v1/tenants/acme/keys/soft/generate-data-key", app, obj("context", CTX));
      hsmBlob = a.json().path("ciphertext").asText();
      hsmPlain = a.json().path("plaintext").asText();
      softBlob = b.json().path("ciphertext").asText();
      softPlain = b.json().path("plaintext").asText();
    }
    // no root key file was ever written: the root lives only in the token
    assertThat(Files.exists(data.resolve("root.key"))).isFalse();

    try (TestServer second = TestServer.startIn(data, hsm)) {
      for (String[] made : new String[][] {{hsmBlob, hsmPlain}, {softBlob, softPlain}}) {
        Response r =
            second.post(
                "/v1/tenants/acme/decrypt", app, obj("ciphertext", made[0], "context", CTX));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.json().path("plaintext").asText()).isEqualTo(made[1]);
      }
      // the audit key, wrapped by the root key in the token, still verifies the whole chain
      Response verify = second.post("/v1/audit/verify", admin, null);
      assertThat(verify.status()).as("%s", verify).isEqualTo(200);
      assertThat(verify.json().path("ok").asBoolean()).as("%s", verify).isTrue();
      assertThat(second.get("/readyz", null).status()).isEqualTo(200);
    }
  }
}
