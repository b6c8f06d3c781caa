package io.strongroom.server.e2e;

import static io.strongroom.server.testing.ApiAssertions.assertError;
import static io.strongroom.server.testing.ApiAssertions.assertErrorShape;
import static io.strongroom.server.testing.TestServer.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strongroom.server.http.Route;
import io.strongroom.server.http.RoutesForTesting;
import io.strongroom.server.testing.TestServer;
import io.strongroom.server.testing.TestServer.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may do what, over real HTTPS: every role against every API operation of the route table, as
 * the services' rules say; tenants cannot see into each other; bad tokens are refused.
 */
class AuthorizationMatrixE2ETest {
  /**
   * The rules, one row per operation. OK: allowed (2xx). 403: PERMISSION_DENIED. 404: NOT_FOUND,
   * because a platform admin belongs to the {@code system} tenant and a tenant's keys, data and
   * cryptography are visible only inside that tenant (it manages tenants and their principals, and
   * may read any tenant's audit log).
   */
  private static final String MATRIX =
      """
      operation                 platform-admin  tenant-admin  key-admin  key-user  auditor
      create-tenant             OK              403           403        403       403
      list-tenants              OK              403           403        403       403
      create-principal          OK              OK            403        403       403
      issue-token               OK              OK            403        403       403
      revoke-token              OK              OK            403        403       403
      create-key                404             403           OK         403       403
      list-keys                 404             OK            OK         OK        OK
      get-key                   404             OK            OK         OK        OK
      update-key                404             403           OK         403       403
      enable-key                404             403           OK         403       403
      disable-key               404             403           OK         403       403
      rotate-key                404             403           OK         403       403
      schedule-destroy-key      404             403           OK         403       403
      cancel-destroy-key        404             403           OK         403       403
      list-versions             404             OK            OK         OK        OK
      get-version               404             OK            OK         OK        OK
      enable-version            404             403           OK         403       403
      disable-version           404             403           OK         403       403
      make-primary              404             403           OK         403       403
      schedule-destroy-version  404             403           OK         403       403
      cancel-destroy-version    404             403           OK         403       403
      encrypt                   404             403           403        OK        403
      generate-data-key         404             403           403        OK        403
      decrypt                   404             403           403        OK        403
      re-encrypt                404             403           403        OK        403
      batch                     404             403           403        OK        403
      list-audit                OK              OK            403        403       OK
      verify-audit              OK              403           403        403       403
      """;

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final String TENANT = "acme";
  private static final String T = "/v1/tenants/" + TENANT;
  private static final List<String> TENANT_ROLES =
      List.of("tenant-admin", "key-admin", "key-user", "auditor");

  private static TestServer server;
  private static final Map<String, String> tokenOf = new LinkedHashMap<>();
  private static String setupKeyAdmin;
  private static String sharedBlob;
  private static final AtomicInteger counter = new AtomicInteger();

  /** One request to make; {@code body} null for none. */
  private record Req(String method, String path, Object body) {}

  /** How to make each operation's request, with whatever state it needs made fresh first. */
  private static final Map<String, Supplier<Req>> REQUESTS = new LinkedHashMap<>();

  static {
    REQUESTS.put("create-tenant", () -> post("/v1/tenants", obj("name", "t" + next())));
    REQUESTS.put("list-tenants", () -> new Req("GET", "/v1/tenants", null));
    REQUESTS.put(
        "create-principal",
        () -> post(T + "/principals", obj("name", "p" + next(), "roles", List.of("key-user"))));
    REQUESTS.put("issue-token", () -> post(T + "/principals/victim/tokens", obj("ttl", "PT1H")));
    REQUESTS.put(
        "revoke-token",
        () -> new Req("DELETE", T + "/principals/victim/tokens/" + issueVictimToken(), null));
    REQUESTS.put(
        "create-key",
        () -> post(T + "/keys", obj("name", "new" + next(), "protection", "SOFTWARE")));
    REQUESTS.put("list-keys", () -> new Req("GET", T + "/keys", null));
    REQUESTS.put("get-key", () -> new Req("GET", T + "/keys/shared", null));
    REQUESTS.put("update-key", () -> new Req("PATCH", key(fresh()), obj("description", "changed")));
    REQUESTS.put("enable-key", () -> post(key(fresh()) + "/enable", null));
    REQUESTS.put("disable-key", () -> post(key(fresh()) + "/disable", null));
    REQUESTS.put("rotate-key", () -> post(key(fresh()) + "/rotate", null));
    REQUESTS.put(
        "schedule-destroy-key",
        () -> post(key(fresh()) + "/schedule-destroy", obj("pendingDays", 7)));
    REQUESTS.put(
        "cancel-destroy-key",
        () -> {
          String k = fresh();
          setup(key(k) + "/schedule-destroy", obj("pendingDays", 7));
          return post(key(k) + "/cancel-destroy", null);
        });
    REQUESTS.put("list-versions", () -> new Req("GET", T + "/keys/shared/versions", null));
    REQUESTS.put("get-version", () -> new Req("GET", T + "/keys/shared/versions/1", null));
    REQUESTS.put("enable-version", () -> post(key(fresh()) + "/versions/1/enable", null));
    REQUESTS.put("disable-version", () -> post(key(rotated()) + "/versions/1/disable", null));
    REQUESTS.put("make-primary", () -> post(key(rotated()) + "/versions/1/make-primary", null));
    REQUESTS.put(
        "schedule-destroy-version",
        () -> post(key(rotated()) + "/versions/1/schedule-destroy", obj("pendingDays", 7)));
    REQUESTS.put(
        "cancel-destroy-version",
        () -> {
          String k = rotated();
          setup(key(k) + "/versions/1/schedule-destroy", obj("pendingDays", 7));
          return post(key(k) + "/versions/1/cancel-destroy", null);
        });
    REQUESTS.put(
        "encrypt", () -> post(T + "/keys/shared/encrypt", obj("plaintext", b64("secret"))));
    REQUESTS.put(
        "generate-data-key", () -> post(T + "/keys/shared/generate-data-key", obj("bytes", 16)));
    REQUESTS.put("decrypt", () -> post(T + "/decrypt", obj("ciphertext", sharedBlob)));
    REQUESTS.put("re-encrypt", () -> post(T + "/re-encrypt", obj("ciphertext", sharedBlob)));
    REQUESTS.put(
        "batch",
        () ->
            post(
                T + "/batch",
                obj(
                    "items",
                    List.of(obj("op", "encrypt", "key", "shared", "plaintext", b64("x"))))));
    REQUESTS.put("list-audit", () -> new Req("GET", T + "/audit?pageSize=5", null));
    REQUESTS.put("verify-audit", () -> post("/v1/audit/verify", null));
  }

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
    server.createTenant(TENANT);
    tokenOf.put("platform-admin", server.adminToken());
    for (String role : TENANT_ROLES) {
      tokenOf.put(role, server.createPrincipal(TENANT, role, role));
    }
    setupKeyAdmin = server.createPrincipal(TENANT, "setup-admin", "key-admin");
    String setupUser = server.createPrincipal(TENANT, "setup-user", "key-user");
    server.createPrincipal(TENANT, "victim", "key-user");
    server.createKey(TENANT, setupKeyAdmin, "shared");
    Response blob =
        server.post(T + "/keys/shared/encrypt", setupUser, obj("plaintext", b64("shared")));
    assertThat(blob.status()).isEqualTo(200);
    sharedBlob = blob.json().path("ciphertext").asText();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static Stream<Arguments> matrix() {
    List<String> lines = MATRIX.strip().lines().toList();
    List<String> roles = cells(lines.get(0)).subList(1, 6);
    List<Arguments> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      List<String> cells = cells(line);
      for (int i = 0; i < roles.size(); i++) {
        rows.add(Arguments.of(cells.get(0), roles.get(i), cells.get(i + 1)));
      }
    }
    return rows.stream();
  }

  private static List<String> cells(String line) {
    return WHITESPACE.splitAsStream(line.trim()).toList();
  }

  @ParameterizedTest(name = "{0} as {1} -> {2}")
  @MethodSource("matrix")
  void roleMayOrMayNot(String operation, String role, String expected) {
    Req req = REQUESTS.get(operation).get();
    Response r = server.call(req.method(), req.path(), tokenOf.get(role), req.body(), Map.of());
    switch (expected) {
      case "OK" ->
          assertThat(r.status()).as("%s as %s: %s", operation, role, r).isBetween(200, 299);
      case "403" -> assertError(r, 403, "PERMISSION_DENIED");
      case "404" -> assertError(r, 404, "NOT_FOUND");
      default -> throw new IllegalArgumentException(expected);
    }
  }

  @Test
  void theMatrixCoversEveryRouteAndEveryRole() {
    List<String> operations = MATRIX.strip().lines().skip(1).map(l -> cells(l).get(0)).toList();
    assertThat(operations)
        .containsExactlyInAnyOrderElementsOf(
            RoutesForTesting.table().stream().map(Route::operation).toList());
    assertThat(REQUESTS.keySet()).containsExactlyInAnyOrderElementsOf(operations);
    assertThat(MATRIX.strip().lines().findFirst().orElseThrow())
        .contains("platform-admin", "tenant-admin", "key-admin", "key-user", "auditor");
  }

  @Test
  void onlyTheSystemTenantMayHoldPlatformAdmins() {
    assertError(
        server.post(
            T + "/principals",
            server.adminToken(),
            obj("name", "root", "roles", List.of("platform-admin"))),
        403,
        "PERMISSION_DENIED");
    assertError(
        server.post(
            "/v1/tenants/system/principals",
            tokenOf.get("tenant-admin"),
            obj("name", "root", "roles", List.of("platform-admin"))),
        404,
        "NOT_FOUND");
  }

  // ---- cross-tenant ----

  /**
   * A principal of another tenant gets, for an existing key, exactly the answer that a principal of
   * the key's own tenant gets for a key of that name that does not exist: no probing.
   */
  @Test
  void anotherTenantsKeyAnswersExactlyLikeAMissingOne() {
    server.createTenant("victim-co");
    String owner =
        server.createPrincipal("victim-co", "owner", TENANT_ROLES.toArray(String[]::new));
    server.createTenant("prober-co");
    String prober =
        server.createPrincipal("prober-co", "prober", TENANT_ROLES.toArray(String[]::new));

    String k = "/v1/tenants/victim-co/keys/crown-jewels";
    List<Req> probes =
        List.of(
            new Req("GET", k, null),
            new Req("PATCH", k, obj("description", "mine now")),
            post(k + "/enable", null),
            post(k + "/disable", null),
            post(k + "/rotate", null),
            post(k + "/schedule-destroy", obj("pendingDays", 7)),
            post(k + "/cancel-destroy", null),
            new Req("GET", k + "/versions", null),
            new Req("GET", k + "/versions/1", null),
            post(k + "/versions/1/enable", null),
            post(k + "/versions/1/disable", null),
            post(k + "/versions/1/make-primary", null),
            post(k + "/versions/1/schedule-destroy", obj("pendingDays", 7)),
            post(k + "/versions/1/cancel-destroy", null),
            post(k + "/encrypt", obj("plaintext", b64("x"))),
            post(k + "/generate-data-key", null));

    // The owner asks for a key that does not exist (yet).
    List<Response> missing = new ArrayList<>();
    for (Req p : probes) {
      Response r = server.call(p.method(), p.path(), owner, p.body(), Map.of());
      assertError(r, 404, "NOT_FOUND");
      missing.add(r);
    }
    server.createKey("victim-co", owner, "crown-jewels");
    Response blob = server.post(k + "/encrypt", owner, obj("plaintext", b64("jewels")));
    assertThat(blob.status()).isEqualTo(200);

    // Now it exists; the prober gets byte-for-byte the same answers (but for the request id).
    for (int i = 0; i < probes.size(); i++) {
      Req p = probes.get(i);
      Response r = server.call(p.method(), p.path(), prober, p.body(), Map.of());
      assertError(r, 404, "NOT_FOUND");
      assertThat(r.errorWithoutRequestId())
          .as("%s %s", p.method(), p.path())
          .isEqualTo(missing.get(i).errorWithoutRequestId());
      assertThat(r.headers().map().keySet())
          .as("same headers for %s %s", p.method(), p.path())
          .isEqualTo(missing.get(i).headers().map().keySet());
    }
    // The key is untouched.
    JsonNode key = server.get(k, owner).json();
    assertThat(key.path("state").asText()).isEqualTo("ENABLED");
    assertThat(key.has("description")).isFalse();
    assertThat(key.path("latestVersion").asInt()).isEqualTo(1);

    // Tenant-wide routes of another tenant answer like those of a tenant that does not exist.
    List<Req> tenantProbes =
        List.of(
            new Req("GET", "/v1/tenants/%s/keys", null),
            post("/v1/tenants/%s/keys", obj("name", "planted", "protection", "SOFTWARE")),
            post(
                "/v1/tenants/%s/decrypt",
                obj("ciphertext", blob.json().path("ciphertext").asText())),
            post(
                "/v1/tenants/%s/re-encrypt",
                obj("ciphertext", blob.json().path("ciphertext").asText())),
            post(
                "/v1/tenants/%s/batch",
                obj("items", List.of(obj("op", "generate-data-key", "key", "crown-jewels")))),
            new Req("GET", "/v1/tenants/%s/audit", null),
            post("/v1/tenants/%s/principals", obj("name", "mole", "roles", List.of("key-user"))),
            post("/v1/tenants/%s/principals/owner/tokens", null),
            new Req("DELETE", "/v1/tenants/%s/principals/owner/tokens/0123456789abcdef", null));
    for (Req p : tenantProbes) {
      Response existing =
          server.call(p.method(), p.path().formatted("victim-co"), prober, p.body(), Map.of());
      Response nowhere =
          server.call(p.method(), p.path().formatted("no-such-co"), prober, p.body(), Map.of());
      assertError(existing, 404, "NOT_FOUND");
      assertError(nowhere, 404, "NOT_FOUND");
      assertThat(existing.errorMessage().replace("victim-co", "no-such-co"))
          .as("%s %s", p.method(), p.path())
          .isEqualTo(nowhere.errorMessage());
    }
  }

  /** Another tenant's blob, decrypted in one's own tenant, is just an invalid ciphertext. */
  @Test
  void anotherTenantsBlobIsAnInvalidCiphertext() {
    server.createTenant("blob-a");
    String a = server.createPrincipal("blob-a", "a", "key-admin", "key-user");
    server.createTenant("blob-b");
    String b = server.createPrincipal("blob-b", "b", "key-admin", "key-user");
    server.createKey("blob-a", a, "k");
    server.createKey("blob-b", b, "k");
    Map<String, String> ctx = Map.of("purpose", "test");
    String blobOfA =
        server
            .post(
                "/v1/tenants/blob-a/keys/k/encrypt",
                a,
                obj("plaintext", b64("a's"), "context", ctx))
            .json()
            .path("ciphertext")
            .asText();
    String blobOfB =
        server
            .post(
                "/v1/tenants/blob-b/keys/k/encrypt",
                b,
                obj("plaintext", b64("b's"), "context", ctx))
            .json()
            .path("ciphertext")
            .asText();

    Response foreign =
        server.post("/v1/tenants/blob-b/decrypt", b, obj("ciphertext", blobOfA, "context", ctx));
    assertError(foreign, 400, "INVALID_CIPHERTEXT");
    Response wrongContext =
        server.post(
            "/v1/tenants/blob-b/decrypt",
            b,
            obj("ciphertext", blobOfB, "context", Map.of("purpose", "other")));
    assertError(wrongContext, 400, "INVALID_CIPHERTEXT");
    assertThat(foreign.errorWithoutRequestId()).isEqualTo(wrongContext.errorWithoutRequestId());

    assertError(
        server.post("/v1/tenants/blob-b/re-encrypt", b, obj("ciphertext", blobOfA, "context", ctx)),
        400,
        "INVALID_CIPHERTEXT");
    Response batch =
        server.post(
            "/v1/tenants/blob-b/batch",
            b,
            obj("items", List.of(obj("op", "decrypt", "ciphertext", blobOfA, "context", ctx))));
    assertThat(batch.status()).isEqualTo(200);
    assertThat(batch.json().path("results").get(0).path("error").path("code").asText())
        .isEqualTo("INVALID_CIPHERTEXT");
    // In its own tenant the blob is fine.
    assertThat(
            server
                .post("/v1/tenants/blob-a/decrypt", a, obj("ciphertext", blobOfA, "context", ctx))
                .status())
        .isEqualTo(200);
  }

  // ---- authentication ----

  static Stream<Arguments> badCredentials() {
    return Stream.of(
        Arguments.of("no Authorization header", Map.of()),
        Arguments.of("a bearer token of the wrong form", Map.of("Authorization", "Bearer abc")),
        Arguments.of(
            "an unknown token of the right form",
            Map.of("Authorization", "Bearer srt_" + "A".repeat(43))),
        Arguments.of("Basic credentials", Map.of("Authorization", "Basic YWRtaW46YWRtaW4=")),
        Arguments.of("an empty bearer", Map.of("Authorization", "Bearer ")));
  }

  @ParameterizedTest(name = "{0} -> 401 on every route")
  @MethodSource("badCredentials")
  void badCredentialsAreUnauthenticatedOnEveryRoute(String what, Map<String, String> headers) {
    for (Route route : RoutesForTesting.table()) {
      assertUnauthenticated(route, headers);
    }
  }

  @Test
  void aRevokedTokenIsRefusedAtOnce() {
    String tenantAdmin = tokenOf.get("tenant-admin");
    Response issued = server.post(T + "/principals/victim/tokens", tenantAdmin, obj("ttl", "PT1H"));
    assertThat(issued.status()).isEqualTo(201);
    String secret = issued.json().path("token").asText();
    String id = issued.json().path("id").asText();
    assertThat(server.get(T + "/keys", secret).status()).isEqualTo(200);

    Response revoked = server.delete(T + "/principals/victim/tokens/" + id, tenantAdmin);
    assertThat(revoked.status()).isEqualTo(204);
    assertThat(revoked.body()).isEmpty();
    for (Route route : RoutesForTesting.table()) {
      assertUnauthenticated(route, Map.of("Authorization", "Bearer " + secret));
    }
    assertError(
        server.delete(T + "/principals/victim/tokens/" + id, tenantAdmin), 404, "NOT_FOUND");
  }

  /**
   * Tokens live at least a minute, so the test moves the expiry of a fresh, never used (so never
   * cached) token into the past in the database.
   */
  @Test
  void anExpiredTokenIsRefused() {
    Response issued =
        server.post(T + "/principals/victim/tokens", server.adminToken(), obj("ttl", "PT1M"));
    assertThat(issued.status()).isEqualTo(201);
    String secret = issued.json().path("token").asText();
    String id = issued.json().path("id").asText();
    int changed =
        server
            .server()
            .database()
            .update(
                "UPDATE tokens SET expires_at = ? WHERE id = ?",
                ps -> {
                  ps.setLong(1, System.currentTimeMillis() - 1000);
                  ps.setString(2, id);
                });
    assertThat(changed).isEqualTo(1);
    for (Route route : RoutesForTesting.table()) {
      assertUnauthenticated(route, Map.of("Authorization", "Bearer " + secret));
    }
  }

  private static void assertUnauthenticated(Route route, Map<String, String> headers) {
    String path =
        route
            .path()
            .replace("{tenant}", TENANT)
            .replace("{key}", "shared")
            .replace("{version}", "1")
            .replace("{principal}", "victim")
            .replace("{tokenId}", "0123456789abcdef");
    Response r = server.call(route.method().name(), path, null, null, headers);
    assertError(r, 401, "UNAUTHENTICATED");
    assertThat(r.header("WWW-Authenticate")).as("%s", route).startsWith("Bearer");
    assertErrorShape(r);
  }

  // ---- fixtures ----

  private static Req post(String path, Object body) {
    return new Req("POST", path, body);
  }

  private static String key(String name) {
    return T + "/keys/" + name;
  }

  private static int next() {
    return counter.incrementAndGet();
  }

  /** A new key, enabled, with version 1 primary. */
  private static String fresh() {
    String name = "m" + next();
    server.createKey(TENANT, setupKeyAdmin, name);
    return name;
  }

  /** A new key with versions 1 and 2, 2 primary. */
  private static String rotated() {
    String name = fresh();
    setup(key(name) + "/rotate", null);
    return name;
  }

  private static void setup(String path, Object body) {
    Response r = server.post(path, setupKeyAdmin, body);
    assertThat(r.status()).as("setup %s: %s", path, r).isEqualTo(200);
  }

  private static String issueVictimToken() {
    Response r = server.post(T + "/principals/victim/tokens", server.adminToken(), null);
    assertThat(r.status()).as("%s", r).isEqualTo(201);
    return r.json().path("id").asText();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
