package io.strongroom.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.api.AuditMessages.AuditList;
import io.strongroom.api.AuditMessages.AuditRecordResponse;
import io.strongroom.api.AuditMessages.VerifyResponse;
import io.strongroom.api.CryptoMessages.BatchResponse;
import io.strongroom.api.CryptoMessages.BatchResult;
import io.strongroom.api.CryptoMessages.DataKeyResponse;
import io.strongroom.api.CryptoMessages.DecryptRequest;
import io.strongroom.api.CryptoMessages.DecryptResponse;
import io.strongroom.api.CryptoMessages.EncryptRequest;
import io.strongroom.api.CryptoMessages.EncryptResponse;
import io.strongroom.api.CryptoMessages.GenerateDataKeyRequest;
import io.strongroom.api.CryptoMessages.ReEncryptRequest;
import io.strongroom.api.CryptoMessages.ReEncryptResponse;
import io.strongroom.api.KeyMessages.CreateKeyRequest;
import io.strongroom.api.KeyMessages.KeyList;
import io.strongroom.api.KeyMessages.KeyResponse;
import io.strongroom.api.KeyMessages.UpdateKeyRequest;
import io.strongroom.api.KeyMessages.VersionList;
import io.strongroom.api.KeyMessages.VersionResponse;
import io.strongroom.api.TenantMessages.PrincipalResponse;
import io.strongroom.api.TenantMessages.TenantList;
import io.strongroom.api.TenantMessages.TenantResponse;
import io.strongroom.api.TenantMessages.TokenResponse;
import io.strongroom.client.envelope.DataKeySource;
import io.strongroom.server.testing.TestServer;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every SDK operation against a real server (real HTTPS, real store) started in the test: tenants,
 * principals and tokens, keys and versions with their lifecycle, the crypto operations (bytes and
 * wire-record overloads, sync and async), batch, audit, health, paging and the {@code
 * DataKeySource} view.
 */
class StrongroomClientTest {
  private static final String TENANT = "sdk";
  private static final Map<String, String> CTX = Map.of("table", "orders", "row", "42");

  private static TestServer server;
  private static StrongroomClient admin;
  private static StrongroomClient app;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
    admin = client(server.adminToken()).build();
    admin.createTenant(TENANT, "SDK tests");
    PrincipalResponse p =
        admin.createPrincipal(
            TENANT, "app", List.of("key-admin", "key-user", "auditor"), Duration.ofHours(1));
    app = client(p.token().token()).tenant(TENANT).build();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (server != null) {
      server.close();
    }
  }

  static StrongroomClient.Builder client(String token) {
    return StrongroomClient.builder()
        .endpoint(server.server().endpoint())
        .caCertificate(server.dataDir().resolve("tls").resolve("ca.pem"))
        .token(token);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void http11ClientServesConcurrentCallsAndHttp2IsTheDefault() throws Exception {
    assertThat(app.transport().httpClient().version()).isEqualTo(HttpClient.Version.HTTP_2);
    String token =
        admin
            .createPrincipal(TENANT, "h1", List.of("key-admin", "key-user"), Duration.ofHours(1))
            .token()
            .token();
    try (StrongroomClient h1 =
            client(token).httpVersion(HttpClient.Version.HTTP_1_1).tenant(TENANT).build();
        ExecutorService pool = Executors.newFixedThreadPool(16)) {
      assertThat(h1.transport().httpClient().version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      h1.createKey(TENANT, "h1-key");
      List<Future<Boolean>> roundTrips = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        Map<String, String> ctx = Map.of("n", Integer.toString(i));
        roundTrips.add(
            pool.submit(
                () -> {
                  DataKeyResult dk = h1.generateDataKey(TENANT, "h1-key", ctx);
                  return Arrays.equals(
                      h1.decrypt(TENANT, dk.ciphertext(), ctx).plaintext(), dk.plaintext());
                }));
      }
      for (Future<Boolean> f : roundTrips) {
        assertThat(f.get()).isTrue();
      }
    }
  }

  @Test
  void healthAndReadiness() throws Exception {
    assertThat(admin.health().up()).isTrue();
    HealthStatus ready = admin.ready();
    assertThat(ready.up()).isTrue();
    assertThat(ready.checks()).containsEntry("database", "UP");
    assertThat(admin.readyAsync().get(10, TimeUnit.SECONDS).up()).isTrue();
    assertThat(admin.healthAsync().get(10, TimeUnit.SECONDS).status()).isEqualTo("UP");
  }

  @Test
  void tenantsAreCreatedAndListedPageByPage() throws Exception {
    TenantResponse created = admin.createTenant("sdk-t1", "one");
    assertThat(created.name()).isEqualTo("sdk-t1");
    assertThat(created.description()).isEqualTo("one");
    assertThat(admin.createTenantAsync("sdk-t2", null).get(10, TimeUnit.SECONDS).name())
        .isEqualTo("sdk-t2");

    TenantList first = admin.listTenants(1, null);
    assertThat(first.tenants()).hasSize(1);
    assertThat(first.nextPageToken()).isNotNull();
    TenantList second = admin.listTenantsAsync(1, first.nextPageToken()).get(10, TimeUnit.SECONDS);
    assertThat(second.tenants()).hasSize(1);
    assertThat(second.tenants().get(0).name()).isNotEqualTo(first.tenants().get(0).name());
    assertThat(admin.listAllTenants().map(TenantResponse::name))
        .contains(TENANT, "sdk-t1", "sdk-t2");
    assertThat(admin.listTenants().tenants()).isNotEmpty();
  }

  @Test
  void principalsAndTokens() throws Exception {
    PrincipalResponse p = admin.createPrincipal(TENANT, "reader", List.of("key-user"), null);
    assertThat(p.name()).isEqualTo("reader");
    assertThat(p.roles()).containsExactly("key-user");
    assertThat(p.token().token()).startsWith("srt_");

    TokenResponse t = admin.issueToken(TENANT, "reader", Duration.ofMinutes(30), "second");
    assertThat(t.token()).startsWith("srt_");
    assertThat(t.description()).isEqualTo("second");
    assertThat(Instant.parse(t.expiresAt())).isBefore(Instant.now().plus(Duration.ofMinutes(31)));
    TokenResponse t2 =
        admin.issueTokenAsync(TENANT, "reader", null, null).get(10, TimeUnit.SECONDS);
    assertThat(t2.id()).isNotEqualTo(t.id());

    try (StrongroomClient reader = client(t.token()).build()) {
      KeyResponse k = app.createKey(TENANT, "reader-key");
      assertThat(reader.encrypt(TENANT, k.name(), utf8("x"), null).keyVersion()).isEqualTo(1);
      admin.revokeToken(TENANT, "reader", t.id());
      assertThatThrownBy(() -> reader.encrypt(TENANT, k.name(), utf8("x"), null))
          .isInstanceOf(UnauthenticatedException.class);
    }
    admin.revokeTokenAsync(TENANT, "reader", t2.id()).get(10, TimeUnit.SECONDS);
    assertThat(
            admin
                .createPrincipalAsync(TENANT, "writer", List.of("key-admin"), Duration.ofHours(2))
                .get(10, TimeUnit.SECONDS)
                .roles())
        .containsExactly("key-admin");
  }

  @Test
  void keysAreCreatedReadListedAndUpdated() throws Exception {
    KeyResponse k =
        app.createKey(
            TENANT,
            new CreateKeyRequest(
                "orders", "SOFTWARE", "P90D", "order data", Map.of("team", "pay")));
    assertThat(k.name()).isEqualTo("orders");
    assertThat(k.state()).isEqualTo("ENABLED");
    assertThat(k.rotationPeriod()).isEqualTo("P90D");
    assertThat(k.labels()).containsEntry("team", "pay");
    assertThat(k.primaryVersion()).isEqualTo(1);

    KeyResponse simple = app.createKey(TENANT, "simple");
    assertThat(simple.protection()).isEqualTo("SOFTWARE");
    assertThat(simple.rotationPeriod()).isNull();
    KeyResponse asyncKey =
        app.createKeyAsync(TENANT, new CreateKeyRequest("async-key", "SOFTWARE", null, null, null))
            .get(10, TimeUnit.SECONDS);
    assertThat(asyncKey.name()).isEqualTo("async-key");

    assertThat(app.getKey(TENANT, "orders").revision()).isEqualTo(k.revision());
    assertThat(app.getKeyAsync(TENANT, "orders").get(10, TimeUnit.SECONDS).name())
        .isEqualTo("orders");

    KeyResponse updated =
        app.updateKey(
            TENANT,
            "orders",
            new UpdateKeyRequest("none", "updated", Map.of("team", "ops"), null, null),
            k.revision());
    assertThat(updated.description()).isEqualTo("updated");
    assertThat(updated.rotationPeriod()).isNull();
    assertThat(updated.revision()).isGreaterThan(k.revision());
    KeyResponse unconditional =
        app.updateKeyAsync(
                TENANT, "orders", new UpdateKeyRequest(null, "again", null, null, null), null)
            .get(10, TimeUnit.SECONDS);
    assertThat(unconditional.description()).isEqualTo("again");
    assertThat(unconditional.labels()).containsEntry("team", "ops");

    KeyList page = app.listKeys(TENANT, 1, null);
    assertThat(page.keys()).hasSize(1);
    assertThat(page.nextPageToken()).isNotNull();
    assertThat(app.listKeysAsync(TENANT, 1, page.nextPageToken()).get(10, TimeUnit.SECONDS).keys())
        .hasSize(1);
    assertThat(app.listAllKeys(TENANT).map(KeyResponse::name))
        .contains("orders", "simple", "async-key")
        .doesNotHaveDuplicates();
    assertThat(app.listKeys(TENANT).keys()).isNotEmpty();
  }

  @Test
  void keyLifecycle() throws Exception {
    KeyResponse k = app.createKey(TENANT, "lifecycle");
    KeyResponse disabled = app.disableKey(TENANT, "lifecycle");
    assertThat(disabled.state()).isEqualTo("DISABLED");
    assertThatThrownBy(() -> app.encrypt(TENANT, "lifecycle", utf8("x"), null))
        .isInstanceOf(FailedPreconditionException.class);
    KeyResponse enabled = app.enableKey(TENANT, "lifecycle", disabled.revision());
    assertThat(enabled.state()).isEqualTo("ENABLED");
    assertThat(
            app.disableKeyAsync(TENANT, "lifecycle", enabled.revision())
                .get(10, TimeUnit.SECONDS)
                .state())
        .isEqualTo("DISABLED");
    KeyResponse again = app.enableKeyAsync(TENANT, "lifecycle", null).get(10, TimeUnit.SECONDS);
    assertThat(again.state()).isEqualTo("ENABLED");

    KeyResponse rotated = app.rotateKey(TENANT, "lifecycle");
    assertThat(rotated.primaryVersion()).isEqualTo(2);
    KeyResponse rotatedIfMatch = app.rotateKey(TENANT, "lifecycle", rotated.revision());
    assertThat(rotatedIfMatch.primaryVersion()).isEqualTo(3);
    assertThat(
            app.rotateKeyAsync(TENANT, "lifecycle", null).get(10, TimeUnit.SECONDS).latestVersion())
        .isEqualTo(4);

    KeyResponse scheduled = app.scheduleKeyDestroy(TENANT, "lifecycle", 7, null);
    assertThat(scheduled.state()).isEqualTo("DESTROY_SCHEDULED");
    assertThat(Duration.between(Instant.now(), Instant.parse(scheduled.destroyAt())))
        .isBetween(Duration.ofDays(6), Duration.ofDays(7));
    KeyResponse cancelled = app.cancelKeyDestroy(TENANT, "lifecycle", scheduled.revision());
    assertThat(cancelled.state()).isNotEqualTo("DESTROY_SCHEDULED");
    KeyResponse scheduledDefault =
        app.scheduleKeyDestroyAsync(TENANT, "lifecycle", null, cancelled.revision())
            .get(10, TimeUnit.SECONDS);
    assertThat(Duration.between(Instant.now(), Instant.parse(scheduledDefault.destroyAt())))
        .isGreaterThan(Duration.ofDays(29));
    assertThat(
            app.cancelKeyDestroyAsync(TENANT, "lifecycle", null).get(10, TimeUnit.SECONDS).state())
        .isNotEqualTo("DESTROY_SCHEDULED");
    assertThat(k.revision()).isLessThan(app.getKey(TENANT, "lifecycle").revision());
  }

  @Test
  void versionLifecycle() throws Exception {
    app.createKey(TENANT, "versions");
    EncryptResult v1Blob = app.encrypt(TENANT, "versions", utf8("under v1"), CTX);
    KeyResponse rotated = app.rotateKey(TENANT, "versions");
    assertThat(rotated.primaryVersion()).isEqualTo(2);

    VersionList list = app.listVersions(TENANT, "versions");
    assertThat(list.versions()).extracting(VersionResponse::version).containsExactly(1, 2);
    assertThat(list.versions().get(1).primary()).isTrue();
    assertThat(app.listVersionsAsync(TENANT, "versions").get(10, TimeUnit.SECONDS).versions())
        .hasSize(2);
    assertThat(app.getVersion(TENANT, "versions", 1).state()).isEqualTo("ENABLED");
    assertThat(app.getVersionAsync(TENANT, "versions", 2).get(10, TimeUnit.SECONDS).primary())
        .isTrue();

    VersionResponse off = app.disableVersion(TENANT, "versions", 1, null);
    assertThat(off.state()).isEqualTo("DISABLED");
    assertThatThrownBy(() -> app.decrypt(TENANT, v1Blob.ciphertext(), CTX))
        .isInstanceOf(FailedPreconditionException.class);
    long rev = app.getKey(TENANT, "versions").revision();
    VersionResponse on = app.enableVersion(TENANT, "versions", 1, rev);
    assertThat(on.state()).isEqualTo("ENABLED");
    assertThat(app.decrypt(TENANT, v1Blob.ciphertext(), CTX).plaintext())
        .isEqualTo(utf8("under v1"));

    VersionResponse primary = app.makePrimary(TENANT, "versions", 1, null);
    assertThat(primary.primary()).isTrue();
    assertThat(app.encrypt(TENANT, "versions", utf8("x"), null).keyVersion()).isEqualTo(1);
    assertThat(
            app.makePrimaryAsync(TENANT, "versions", 2, null).get(10, TimeUnit.SECONDS).primary())
        .isTrue();

    VersionResponse scheduled = app.scheduleVersionDestroy(TENANT, "versions", 1, 7, null);
    assertThat(scheduled.state()).isEqualTo("DESTROY_SCHEDULED");
    VersionResponse cancelled = app.cancelVersionDestroy(TENANT, "versions", 1, null);
    assertThat(cancelled.state()).isEqualTo("DISABLED");
    assertThat(
            app.scheduleVersionDestroyAsync(TENANT, "versions", 1, null, null)
                .get(10, TimeUnit.SECONDS)
                .state())
        .isEqualTo("DESTROY_SCHEDULED");
    assertThat(
            app.cancelVersionDestroyAsync(TENANT, "versions", 1, null)
                .get(10, TimeUnit.SECONDS)
                .state())
        .isEqualTo("DISABLED");
    assertThat(
            app.enableVersionAsync(TENANT, "versions", 1, null).get(10, TimeUnit.SECONDS).state())
        .isEqualTo("ENABLED");
    assertThat(
            app.disableVersionAsync(TENANT, "versions", 1, null).get(10, TimeUnit.SECONDS).state())
        .isEqualTo("DISABLED");
  }

  @Test
  void encryptDecryptAndReEncryptWithBytes() throws Exception {
    app.createKey(TENANT, "crypto");
    app.createKey(TENANT, "crypto-archive");
    byte[] secret = utf8("the secret sauce");

    EncryptResult sealed = app.encrypt(TENANT, "crypto", secret, CTX);
    assertThat(sealed.key()).isEqualTo("crypto");
    assertThat(sealed.keyVersion()).isEqualTo(1);
    assertThat(sealed.toString()).doesNotContain("secret");
    DecryptResult opened = app.decrypt(TENANT, sealed.ciphertext(), CTX);
    assertThat(opened.plaintext()).isEqualTo(secret);
    assertThat(opened.key()).isEqualTo("crypto");
    assertThat(opened.toString()).contains("REDACTED").doesNotContain("secret");
    opened.zero();
    assertThat(opened.plaintext()).containsOnly(0);

    assertThatThrownBy(() -> app.decrypt(TENANT, sealed.ciphertext(), Map.of("table", "orders")))
        .isInstanceOf(InvalidCiphertextException.class);

    ReEncryptResult moved =
        app.reEncrypt(TENANT, sealed.ciphertext(), CTX, "crypto-archive", Map.of("archived", "1"));
    assertThat(moved.key()).isEqualTo("crypto-archive");
    assertThat(moved.sourceKey()).isEqualTo("crypto");
    assertThat(moved.sourceKeyVersion()).isEqualTo(1);
    assertThat(app.decrypt(TENANT, moved.ciphertext(), Map.of("archived", "1")).plaintext())
        .isEqualTo(secret);
    app.rotateKey(TENANT, "crypto");
    ReEncryptResult same = app.reEncrypt(TENANT, sealed.ciphertext(), CTX, null, null);
    assertThat(same.keyVersion()).isEqualTo(2);
    assertThat(same.sourceKeyVersion()).isEqualTo(1);

    // async variants
    EncryptResult asyncSealed =
        app.encryptAsync(TENANT, "crypto", secret, null).get(10, TimeUnit.SECONDS);
    assertThat(asyncSealed.keyVersion()).isEqualTo(2);
    assertThat(
            app.decryptAsync(TENANT, asyncSealed.ciphertext(), null)
                .get(10, TimeUnit.SECONDS)
                .plaintext())
        .isEqualTo(secret);
    assertThat(
            app.reEncryptAsync(TENANT, asyncSealed.ciphertext(), null, "crypto-archive", null)
                .get(10, TimeUnit.SECONDS)
                .key())
        .isEqualTo("crypto-archive");

    // many concurrent async calls over one client
    List<CompletableFuture<DecryptResult>> many =
        java.util.stream.IntStream.range(0, 32)
            .mapToObj(
                i ->
                    app.encryptAsync(TENANT, "crypto", utf8("m" + i), Map.of("i", "" + i))
                        .thenCompose(
                            e -> app.decryptAsync(TENANT, e.ciphertext(), Map.of("i", "" + i))))
            .toList();
    for (int i = 0; i < many.size(); i++) {
      assertThat(
              new String(many.get(i).get(20, TimeUnit.SECONDS).plaintext(), StandardCharsets.UTF_8))
          .isEqualTo("m" + i);
    }
  }

  @Test
  void cryptoWithWireRecords() throws Exception {
    app.createKey(TENANT, "wire");
    String b64 = Base64.getEncoder().encodeToString(utf8("wire"));
    EncryptResponse e = app.encrypt(TENANT, "wire", new EncryptRequest(b64, CTX));
    assertThat(e.keyVersion()).isEqualTo(1);
    DecryptResponse d = app.decrypt(TENANT, new DecryptRequest(e.ciphertext(), CTX));
    assertThat(d.plaintext()).isEqualTo(b64);
    ReEncryptResponse r =
        app.reEncrypt(TENANT, new ReEncryptRequest(e.ciphertext(), CTX, null, null));
    assertThat(r.sourceKey()).isEqualTo("wire");
    DataKeyResponse dk =
        app.generateDataKey(TENANT, "wire", new GenerateDataKeyRequest(48, CTX, null));
    assertThat(Base64.getDecoder().decode(dk.plaintext())).hasSize(48);

    assertThat(
            app.encryptAsync(TENANT, "wire", new EncryptRequest(b64, null))
                .get(10, TimeUnit.SECONDS)
                .key())
        .isEqualTo("wire");
    assertThat(
            app.decryptAsync(TENANT, new DecryptRequest(e.ciphertext(), CTX))
                .get(10, TimeUnit.SECONDS)
                .plaintext())
        .isEqualTo(b64);
    assertThat(
            app.reEncryptAsync(TENANT, new ReEncryptRequest(e.ciphertext(), CTX, null, null))
                .get(10, TimeUnit.SECONDS)
                .keyVersion())
        .isEqualTo(1);
    assertThat(
            app.generateDataKeyAsync(TENANT, "wire", new GenerateDataKeyRequest(null, null, false))
                .get(10, TimeUnit.SECONDS)
                .plaintext())
        .isNull();
  }

  @Test
  void dataKeys() throws Exception {
    app.createKey(TENANT, "datakeys");
    DataKeyResult dk = app.generateDataKey(TENANT, "datakeys", CTX);
    assertThat(dk.plaintext()).hasSize(32);
    assertThat(dk.toString()).contains("REDACTED");
    assertThat(app.decrypt(TENANT, dk.ciphertext(), CTX).plaintext()).isEqualTo(dk.plaintext());
    dk.zero();
    assertThat(dk.plaintext()).containsOnly(0);

    DataKeyResult wrappedOnly = app.generateDataKey(TENANT, "datakeys", 16, CTX, false);
    assertThat(wrappedOnly.plaintext()).isNull();
    assertThat(wrappedOnly.toString()).contains("absent");
    assertThat(app.decrypt(TENANT, wrappedOnly.ciphertext(), CTX).plaintext()).hasSize(16);
    assertThat(
            app.generateDataKeyAsync(TENANT, "datakeys", 64, null, true)
                .get(10, TimeUnit.SECONDS)
                .plaintext())
        .hasSize(64);

    // the DataKeySource views: the default tenant, and an explicit one
    DataKeySource.DataKey viaDefault = app.generateDataKey("datakeys", 32, CTX);
    assertThat(app.decryptDataKey(viaDefault.ciphertext(), CTX)).isEqualTo(viaDefault.plaintext());
    assertThat(viaDefault.toString()).contains("REDACTED");
    DataKeySource source = app.dataKeySource(TENANT);
    DataKeySource.DataKey viaSource = source.generateDataKey("datakeys", 24, Map.of());
    assertThat(viaSource.plaintext()).hasSize(24);
    assertThat(source.decryptDataKey(viaSource.ciphertext(), Map.of()))
        .isEqualTo(viaSource.plaintext());
    assertThatThrownBy(() -> admin.generateDataKey("datakeys", 32, CTX))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void batchOfEveryKind() throws Exception {
    app.createKey(TENANT, "batch");
    EncryptResult sealed = app.encrypt(TENANT, "batch", utf8("one"), CTX);
    BatchResponse r =
        app.batch(
            TENANT,
            List.of(
                BatchItems.encrypt("batch", utf8("two"), CTX),
                BatchItems.decrypt(sealed.ciphertext(), CTX),
                BatchItems.generateDataKey("batch", 32, CTX, true),
                BatchItems.reEncrypt(sealed.ciphertext(), CTX, null, Map.of("new", "ctx")),
                BatchItems.decrypt(sealed.ciphertext(), Map.of("wrong", "ctx")),
                BatchItems.encrypt("missing", utf8("x"), null)));
    List<BatchResult> results = r.results();
    assertThat(results).hasSize(6);
    assertThat(results.get(0).error()).isNull();
    assertThat(
            app.decrypt(TENANT, Base64.getDecoder().decode(results.get(0).ciphertext()), CTX)
                .plaintext())
        .isEqualTo(utf8("two"));
    assertThat(Base64.getDecoder().decode(results.get(1).plaintext())).isEqualTo(utf8("one"));
    assertThat(results.get(2).plaintext()).isNotNull();
    assertThat(results.get(3).sourceKey()).isEqualTo("batch");
    assertThat(StrongroomException.of(results.get(4).error(), 0))
        .isInstanceOf(InvalidCiphertextException.class)
        .satisfies(e -> assertThat(e.requestId()).isNotBlank());
    assertThat(StrongroomException.of(results.get(5).error(), 0))
        .isInstanceOf(NotFoundException.class)
        .satisfies(e -> assertThat(e.httpStatus()).isEqualTo(404));

    BatchResponse async =
        app.batchAsync(TENANT, List.of(BatchItems.decrypt(sealed.ciphertext(), CTX)))
            .get(10, TimeUnit.SECONDS);
    assertThat(async.results()).hasSize(1);
  }

  @Test
  void auditListAndVerify() throws Exception {
    app.createKey(TENANT, "audited");
    AuditList page = app.listAudit(TENANT, 2, null);
    assertThat(page.records()).hasSize(2);
    assertThat(page.nextPageToken()).isNotNull();
    AuditList next = app.listAuditAsync(TENANT, 2, page.nextPageToken()).get(10, TimeUnit.SECONDS);
    assertThat(next.records().get(0).seq()).isGreaterThan(page.records().get(1).seq());
    List<AuditRecordResponse> all = app.listAllAudit(TENANT).toList();
    assertThat(all).extracting(AuditRecordResponse::operation).contains("create-key");
    assertThat(all).extracting(AuditRecordResponse::seq).isSorted().doesNotHaveDuplicates();
    assertThat(app.listAudit(TENANT).records()).isNotEmpty();

    VerifyResponse v = admin.verifyAudit();
    assertThat(v.ok()).isTrue();
    assertThat(v.records()).isPositive();
    assertThat(admin.verifyAuditAsync().get(10, TimeUnit.SECONDS).ok()).isTrue();
  }

  @Test
  void asyncFailuresCompleteWithTypedExceptions() {
    CompletableFuture<KeyResponse> f = app.getKeyAsync(TENANT, "no-such-key");
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void closedClientRefusesCalls() {
    StrongroomClient c = client(server.adminToken()).build();
    assertThat(c.health().up()).isTrue();
    c.close();
    c.close(); // idempotent
    assertThat(c.toString()).contains("closed");
    assertThatThrownBy(c::health).isInstanceOf(IllegalStateException.class);
  }
}
