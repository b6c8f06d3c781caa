package io.strongroom.server.e2e;

import static io.strongroom.server.testing.ApiAssertions.assertError;
import static io.strongroom.server.testing.ApiAssertions.assertErrorShape;
import static io.strongroom.server.testing.TestServer.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.strongroom.server.config.ServerConfig;
import io.strongroom.server.http.Route;
import io.strongroom.server.http.RoutesForTesting;
import io.strongroom.server.testing.TestServer;
import io.strongroom.server.testing.TestServer.Response;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Hostile and sloppy input on every route of the route table: each answer is the right 4xx with the
 * JSON error body and a stable code, never a 500 or 503, and never shows Java internals.
 *
 * <p>Every route gets the probes that fit it (body, path names, key, version, revision, paging),
 * plus an oversized body, an unknown tenant and every wrong method; then a well-formed request, to
 * show that the probes failed for the one thing each got wrong. Runs on H2 ({@link
 * BadInputE2ETest}) and PostgreSQL ({@link BadInputPostgresE2ETest}), whose refusals differ (a NUL
 * character in text, for one).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BadInputContract {
  private static final int MAX_BODY = 128 * 1024;
  private static final String T = "/v1/tenants/bad";

  private TestServer server;
  private String user;
  private String blob;

  /** Starts the server under test, on this suite's database, with {@code config} applied. */
  abstract TestServer startServer(UnaryOperator<ServerConfig> config) throws Exception;

  @BeforeAll
  void start() throws Exception {
    server = startServer(c -> TestServer.withMaxBodyBytes(c, MAX_BODY));
    server.createTenant("bad");
    user = server.createPrincipal("bad", "all", "tenant-admin", "key-admin", "key-user", "auditor");
    server.createPrincipal("bad", "victim", "key-user");
    // One key per key route, so that one route's well-formed call cannot upset another's probes.
    for (RouteCase c : cases()) {
      if (c.template.contains("{key}")) {
        server.createKey("bad", user, keyOf(c.operation));
        if (c.template.contains("{version}")) {
          ok(server.post(keyPath(c.operation) + "/rotate", user, null));
        }
      }
    }
    ok(server.post(keyPath("cancel-destroy-key") + "/schedule-destroy", user, null));
    ok(server.post(keyPath("cancel-destroy-version") + "/versions/1/schedule-destroy", user, null));
    server.createKey("bad", user, "blobs");
    blob =
        server
            .post(T + "/keys/blobs/encrypt", user, obj("plaintext", "aGVsbG8="))
            .json()
            .path("ciphertext")
            .asText();
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  // ---- the routes and their probes ----

  /** Expected answer: a status and code, or for a batch a 200 whose first item has the code. */
  private record Expect(int status, String code, boolean inFirstBatchItem) {}

  private static Expect error(int status, String code) {
    return new Expect(status, code, false);
  }

  private static final Expect INVALID = error(400, "INVALID_ARGUMENT");
  private static final Expect NOT_FOUND = error(404, "NOT_FOUND");

  /** Anything but a 5xx (with the error body if an error). */
  private static final Expect ANY = error(0, null);

  /** Any 2xx: the well-formed request. */
  private static final Expect SUCCESS = error(200, null);

  private record Probe(
      String name,
      String method,
      Supplier<String> path,
      Object body,
      Map<String, String> headers,
      Expect expect) {}

  /** How a route takes a body. */
  private enum Body {
    NONE,
    OPTIONAL,
    REQUIRED
  }

  private final class RouteCase {
    final String operation;
    final String method;
    final String template;
    String token;
    Body body = Body.NONE;
    String valid;
    boolean revisioned;
    boolean paged;
    Supplier<String> path;
    final List<Probe> own = new ArrayList<>();

    RouteCase(String operation, String method, String template) {
      this.operation = operation;
      this.method = method;
      this.template = template;
      this.token = user;
      String concrete =
          template
              .replace("{tenant}", "bad")
              .replace("{key}", keyOf(operation))
              .replace("{version}", "1")
              .replace("{principal}", "victim")
              .replace("{tokenId}", "0123456789abcdef");
      this.path = () -> concrete;
    }

    RouteCase admin() {
      token = server.adminToken();
      return this;
    }

    RouteCase body(Body kind, String validJson) {
      body = kind;
      valid = validJson;
      return this;
    }

    RouteCase revisioned() {
      revisioned = true;
      return this;
    }

    RouteCase paged() {
      paged = true;
      return this;
    }

    RouteCase path(Supplier<String> p) {
      path = p;
      return this;
    }

    /** A body that must fail as {@code expect}. */
    RouteCase bad(String name, String json, Expect expect) {
      own.add(new Probe(name, method, path, j(json), Map.of(), expect));
      return this;
    }

    RouteCase bad(String name, String json) {
      return bad(name, json, INVALID);
    }

    RouteCase badPath(String name, String concretePath, Expect expect) {
      own.add(new Probe(name, method, () -> concretePath, valid, Map.of(), expect));
      return this;
    }
  }

  /** Single quotes for readability: {@code j("{'a':1}")} is {@code {"a":1}}. */
  private static String j(String json) {
    return json == null ? null : json.replace('\'', '"');
  }

  private List<RouteCase> casesCache;

  private List<RouteCase> cases() {
    if (casesCache == null) {
      casesCache = buildCases();
    }
    return casesCache;
  }

  private List<RouteCase> buildCases() {
    String tooLong = "k".repeat(300);
    String b64big = Base64.getEncoder().encodeToString(new byte[65 * 1024 + 1]);
    String items1001 =
        Stream.generate(() -> "{'op':'generate-data-key','key':'blobs'}")
            .limit(1001)
            .collect(Collectors.joining(",", "{'items':[", "]}"));
    List<RouteCase> all = new ArrayList<>();

    all.add(
        route("create-tenant", "POST", "/v1/tenants")
            .admin()
            .body(Body.REQUIRED, "{\"name\":\"fresh-tenant\"}")
            .bad("name is a number", "{'name':5}")
            .bad("name is an object", "{'name':{'a':'b'}}")
            .bad("name is a list", "{'name':['a']}")
            .bad("name is a boolean", "{'name':true}")
            .bad("description is a number", "{'name':'x1','description':7}")
            .bad("name missing", "{}")
            .bad("name not a valid name", "{'name':'Bad Name!'}")
            .bad("name empty", "{'name':''}")
            .bad("name too long", "{'name':'" + "t".repeat(200) + "'}")
            .bad("description too long", "{'name':'x2','description':'" + "d".repeat(2000) + "'}")
            .bad("duplicate field", "{'name':'x3','name':'x4'}")
            .bad("a NUL character in the name", "{'name':'x5\\u0000'}")
            .bad("a NUL character in the description", "{'name':'x6','description':'a\\u0000b'}")
            .bad("the tenant exists", "{'name':'bad'}", error(409, "ALREADY_EXISTS")));
    all.add(route("list-tenants", "GET", "/v1/tenants").admin().paged());
    all.add(
        route("create-principal", "POST", "/v1/tenants/{tenant}/principals")
            .body(Body.REQUIRED, "{\"name\":\"fresh-principal\",\"roles\":[\"key-user\"]}")
            .bad("name is a number", "{'name':5,'roles':['key-user']}")
            .bad("roles is a string", "{'name':'p1','roles':'key-user'}")
            .bad("roles holds a number", "{'name':'p1','roles':[5]}")
            .bad("roles is an object", "{'name':'p1','roles':{'a':'key-user'}}")
            .bad("tokenTtl is a number", "{'name':'p1','roles':['key-user'],'tokenTtl':60}")
            .bad("name missing", "{'roles':['key-user']}")
            .bad("no roles", "{'name':'p1','roles':[]}")
            .bad("unknown role", "{'name':'p1','roles':['wizard']}")
            .bad("tokenTtl not a duration", "{'name':'p1','roles':['key-user'],'tokenTtl':'soon'}")
            // Distinct names: see aPrincipalRefusedForItsTokenTtlIsNotCreated.
            .bad("tokenTtl too long", "{'name':'p2','roles':['key-user'],'tokenTtl':'P400D'}")
            .bad("tokenTtl too short", "{'name':'p3','roles':['key-user'],'tokenTtl':'PT1S'}")
            .bad("name not a valid name", "{'name':'a b','roles':['key-user']}")
            .bad("a NUL character in a role", "{'name':'p4','roles':['key-user\\u0000']}")
            .bad(
                "platform-admin outside the system tenant",
                "{'name':'p1','roles':['platform-admin']}",
                error(403, "PERMISSION_DENIED"))
            .bad(
                "the principal exists",
                "{'name':'victim','roles':['key-user']}",
                error(409, "ALREADY_EXISTS")));
    all.add(
        route("issue-token", "POST", "/v1/tenants/{tenant}/principals/{principal}/tokens")
            .body(Body.OPTIONAL, "{\"ttl\":\"PT1H\",\"description\":\"ci\"}")
            .bad("ttl is a number", "{'ttl':3600}")
            .bad("description is an object", "{'description':{}}")
            .bad("ttl not a duration", "{'ttl':'an hour'}")
            .bad("ttl negative", "{'ttl':'-PT1H'}")
            .bad("description too long", "{'description':'" + "d".repeat(300) + "'}")
            .bad("a NUL character in the description", "{'description':'a\\u0000b'}")
            .badPath("unknown principal", T + "/principals/nobody/tokens", NOT_FOUND));
    all.add(
        route(
                "revoke-token",
                "DELETE",
                "/v1/tenants/{tenant}/principals/{principal}/tokens/{tokenId}")
            .path(this::freshTokenPath)
            .badPath("unknown token", T + "/principals/victim/tokens/0123456789abcdef", NOT_FOUND)
            .badPath(
                "unknown principal", T + "/principals/nobody/tokens/0123456789abcdef", NOT_FOUND)
            .badPath(
                "token id with odd characters",
                T + "/principals/victim/tokens/%27%3B--",
                NOT_FOUND));
    all.add(
        route("create-key", "POST", "/v1/tenants/{tenant}/keys")
            .body(
                Body.REQUIRED,
                "{\"name\":\"fresh-key\",\"protection\":\"SOFTWARE\",\"rotationPeriod\":\"P30D\",\"labels\":{\"team\":\"ci\"}}")
            .bad("name is a number", "{'name':5,'protection':'SOFTWARE'}")
            .bad("protection is a number", "{'name':'k1','protection':1}")
            .bad("labels is a string", "{'name':'k1','protection':'SOFTWARE','labels':'team=ci'}")
            .bad("labels is a list", "{'name':'k1','protection':'SOFTWARE','labels':['team']}")
            .bad(
                "a label value is a number",
                "{'name':'k1','protection':'SOFTWARE','labels':{'team':1}}")
            .bad(
                "a label value is an object",
                "{'name':'k1','protection':'SOFTWARE','labels':{'team':{}}}")
            .bad(
                "rotationPeriod is a number",
                "{'name':'k1','protection':'SOFTWARE','rotationPeriod':90}")
            .bad("name missing", "{'protection':'SOFTWARE'}")
            .bad("protection missing", "{'name':'k1'}")
            .bad("unknown protection", "{'name':'k1','protection':'PLUTONIUM'}")
            .bad(
                "rotationPeriod not a duration",
                "{'name':'k1','protection':'SOFTWARE','rotationPeriod':'90 days'}")
            .bad(
                "rotationPeriod zero",
                "{'name':'k1','protection':'SOFTWARE','rotationPeriod':'P0D'}")
            .bad(
                "rotationPeriod too long",
                "{'name':'k1','protection':'SOFTWARE','rotationPeriod':'P9999D'}")
            .bad("name with a slash", "{'name':'a/b','protection':'SOFTWARE'}")
            .bad("name too long", "{'name':'" + tooLong + "','protection':'SOFTWARE'}")
            .bad(
                "a NUL character in the description",
                "{'name':'k2','protection':'SOFTWARE','description':'a\\u0000'}")
            .bad(
                "a NUL character in a label value",
                "{'name':'k3','protection':'SOFTWARE','labels':{'a':'b\\u0000'}}")
            .bad(
                "a NUL character in a label key",
                "{'name':'k4','protection':'SOFTWARE','labels':{'a\\u0000':'b'}}")
            .bad(
                "protection level not configured",
                "{'name':'k1','protection':'HSM'}",
                error(400, "FAILED_PRECONDITION"))
            .bad(
                "the key exists",
                "{'name':'blobs','protection':'SOFTWARE'}",
                error(409, "ALREADY_EXISTS")));
    all.add(route("list-keys", "GET", "/v1/tenants/{tenant}/keys").paged());
    all.add(
        route("get-key", "GET", "/v1/tenants/{tenant}/keys/{key}")
            .badPath("key name too long", T + "/keys/" + tooLong, NOT_FOUND)
            .badPath("key name with odd characters", T + "/keys/%27%20OR%201%3D1", NOT_FOUND));
    all.add(
        route("update-key", "PATCH", "/v1/tenants/{tenant}/keys/{key}")
            .body(Body.REQUIRED, "{\"description\":\"updated\",\"labels\":{\"a\":\"b\"}}")
            .revisioned()
            .bad("minDecryptVersion is a string", "{'minDecryptVersion':'1'}")
            .bad("minEncryptVersion is a float", "{'minEncryptVersion':1.5}")
            .bad("minDecryptVersion too large for an int", "{'minDecryptVersion':99999999999}")
            .bad("labels is a list", "{'labels':[]}")
            .bad("description is a number", "{'description':5}")
            .bad("rotationPeriod is a number", "{'rotationPeriod':5}")
            .bad("minDecryptVersion zero", "{'minDecryptVersion':0}")
            .bad("minDecryptVersion above the primary", "{'minDecryptVersion':99}")
            .bad("rotationPeriod not a duration", "{'rotationPeriod':'weekly'}")
            .bad("a NUL character in the description", "{'description':'\\u0000'}"));
    for (String op : List.of("enable", "disable", "rotate", "cancel-destroy")) {
      all.add(route(op + "-key", "POST", "/v1/tenants/{tenant}/keys/{key}/" + op).revisioned());
    }
    all.add(
        route("schedule-destroy-key", "POST", "/v1/tenants/{tenant}/keys/{key}/schedule-destroy")
            .body(Body.OPTIONAL, "{\"pendingDays\":7}")
            .revisioned()
            .bad("pendingDays is a string", "{'pendingDays':'7'}")
            .bad("pendingDays is a float", "{'pendingDays':7.5}")
            .bad("pendingDays too short", "{'pendingDays':6}")
            .bad("pendingDays too long", "{'pendingDays':31}"));
    all.add(route("list-versions", "GET", "/v1/tenants/{tenant}/keys/{key}/versions"));
    all.add(route("get-version", "GET", "/v1/tenants/{tenant}/keys/{key}/versions/{version}"));
    for (String op : List.of("enable", "disable", "make-primary", "cancel-destroy")) {
      all.add(
          route(
                  op.equals("make-primary") ? op : op + "-version",
                  "POST",
                  "/v1/tenants/{tenant}/keys/{key}/versions/{version}/" + op)
              .revisioned());
    }
    all.add(
        route(
                "schedule-destroy-version",
                "POST",
                "/v1/tenants/{tenant}/keys/{key}/versions/{version}/schedule-destroy")
            .body(Body.OPTIONAL, "{\"pendingDays\":30}")
            .revisioned()
            .bad("pendingDays is a string", "{'pendingDays':'30'}")
            .bad("pendingDays is a list", "{'pendingDays':[30]}")
            .bad("pendingDays too short", "{'pendingDays':0}")
            .bad("pendingDays negative", "{'pendingDays':-7}"));
    all.add(
        route("encrypt", "POST", "/v1/tenants/{tenant}/keys/{key}/encrypt")
            .body(Body.REQUIRED, "{\"plaintext\":\"aGVsbG8=\",\"context\":{\"a\":\"b\"}}")
            .bad("plaintext is a number", "{'plaintext':5}")
            .bad("plaintext is a list of bytes", "{'plaintext':[104,105]}")
            .bad("context is a string", "{'plaintext':'aGVsbG8=','context':'a=b'}")
            .bad("context is a list", "{'plaintext':'aGVsbG8=','context':['a']}")
            .bad("a context value is a number", "{'plaintext':'aGVsbG8=','context':{'a':1}}")
            .bad("a context value is null", "{'plaintext':'aGVsbG8=','context':{'a':null}}")
            .bad("plaintext missing", "{}")
            .bad(
                "a NUL character in a context value",
                "{'plaintext':'aGVsbG8=','context':{'a':'\\u0000'}}")
            .bad(
                "a NUL character in a context key",
                "{'plaintext':'aGVsbG8=','context':{'\\u0000':'a'}}")
            .bad("plaintext not base64", "{'plaintext':'not base64!'}")
            .bad("plaintext base64 without padding", "{'plaintext':'aGVsbG8'}")
            .bad("plaintext base64url", "{'plaintext':'-_-_'}")
            .bad("plaintext with whitespace", "{'plaintext':'aGVs bG8='}")
            .bad(
                "plaintext larger than 64 KiB",
                "{'plaintext':'" + b64big + "'}",
                error(413, "PAYLOAD_TOO_LARGE")));
    all.add(
        route("generate-data-key", "POST", "/v1/tenants/{tenant}/keys/{key}/generate-data-key")
            .body(
                Body.OPTIONAL,
                "{\"bytes\":32,\"context\":{\"a\":\"b\"},\"includePlaintext\":false}")
            .bad("bytes is a string", "{'bytes':'32'}")
            .bad("bytes is a float", "{'bytes':32.0}")
            .bad("includePlaintext is a string", "{'includePlaintext':'yes'}")
            .bad("includePlaintext is a number", "{'includePlaintext':1}")
            .bad("context is a number", "{'context':5}")
            .bad("bytes too few", "{'bytes':15}")
            .bad("bytes too many", "{'bytes':65}"));
    all.add(
        route("decrypt", "POST", "/v1/tenants/{tenant}/decrypt")
            .body(Body.REQUIRED, null)
            .bad("ciphertext is a number", "{'ciphertext':5}")
            .bad("context is a string", "{'ciphertext':'AAAA','context':'x'}")
            .bad("ciphertext missing", "{}")
            .bad(
                "a NUL character in a context key",
                "{'ciphertext':'AAAA','context':{'\\u0000':'a'}}")
            .bad("ciphertext not base64", "{'ciphertext':'%%%%'}")
            .bad("ciphertext base64 of the wrong length", "{'ciphertext':'AAAAA'}")
            .bad("ciphertext garbage", "{'ciphertext':'AAAA'}", error(400, "INVALID_CIPHERTEXT"))
            .bad("ciphertext empty", "{'ciphertext':''}", error(400, "INVALID_CIPHERTEXT")));
    all.add(
        route("re-encrypt", "POST", "/v1/tenants/{tenant}/re-encrypt")
            .body(Body.REQUIRED, null)
            .bad("ciphertext is a number", "{'ciphertext':5}")
            .bad("destinationKey is a number", "{'ciphertext':'AAAA','destinationKey':5}")
            .bad("destinationContext is a string", "{'ciphertext':'AAAA','destinationContext':'x'}")
            .bad("ciphertext missing", "{}")
            .bad("ciphertext not base64", "{'ciphertext':'not base64!'}")
            .bad("ciphertext garbage", "{'ciphertext':'AAAA'}", error(400, "INVALID_CIPHERTEXT")));
    all.add(
        route("batch", "POST", "/v1/tenants/{tenant}/batch")
            .body(Body.REQUIRED, null)
            .bad("items is an object", "{'items':{}}")
            .bad("items is a string", "{'items':'x'}")
            .bad("an item is a number", "{'items':[5]}")
            .bad("an op is a number", "{'items':[{'op':5}]}")
            .bad(
                "an item's bytes is a string",
                "{'items':[{'op':'generate-data-key','key':'blobs','bytes':'x'}]}")
            .bad("an item has an unknown field", "{'items':[{'op':'encrypt','sign':true}]}")
            .bad(
                "a NUL character in an item's key",
                "{'items':[{'op':'encrypt','key':'a\\u0000','plaintext':'AAAA'}]}")
            .bad("items missing", "{}")
            .bad("no items", "{'items':[]}")
            .bad("1001 items", items1001)
            .bad(
                "an item's plaintext is not base64",
                "{'items':[{'op':'encrypt','key':'blobs','plaintext':'!!'}]}",
                new Expect(200, "INVALID_ARGUMENT", true))
            .bad(
                "an item's key is unknown",
                "{'items':[{'op':'encrypt','key':'nope','plaintext':'aGVsbG8='}]}",
                new Expect(200, "NOT_FOUND", true))
            .bad(
                "an item's op is unknown",
                "{'items':[{'op':'sign','key':'blobs'}]}",
                new Expect(200, "INVALID_ARGUMENT", true))
            .bad(
                "an item's plaintext is too large",
                "{'items':[{'op':'encrypt','key':'blobs','plaintext':'" + b64big + "'}]}",
                new Expect(200, "PAYLOAD_TOO_LARGE", true))
            .bad(
                "an item's ciphertext is garbage",
                "{'items':[{'op':'decrypt','ciphertext':'AAAA'}]}",
                new Expect(200, "INVALID_CIPHERTEXT", true)));
    all.add(route("list-audit", "GET", "/v1/tenants/{tenant}/audit").paged());
    all.add(route("verify-audit", "POST", "/v1/audit/verify").admin());
    return all;
  }

  private RouteCase route(String operation, String method, String template) {
    return new RouteCase(operation, method, template);
  }

  private static String keyOf(String operation) {
    return "k-" + operation;
  }

  private static String keyPath(String operation) {
    return T + "/keys/" + keyOf(operation);
  }

  private String freshTokenPath() {
    Response r = server.post(T + "/principals/victim/tokens", user, null);
    ok(r);
    return T + "/principals/victim/tokens/" + r.json().path("id").asText();
  }

  /** The probes every route gets, by what it takes, then the route's own. */
  private List<Probe> probes(RouteCase c) {
    List<Probe> p = new ArrayList<>();
    String validBody = validBody(c);
    if (c.body != Body.NONE) {
      for (String[] bad :
          new String[][] {
            {"malformed JSON", "{\"a\":"},
            {"a JSON array", "[]"},
            {"a JSON string", "\"text\""},
            {"a JSON number", "42"},
            {"JSON null", "null"},
            {"trailing content", "{} {}"},
            {"not JSON at all", "<xml/>"},
            {"an unknown field", "{\"nope\":1}"}
          }) {
        p.add(new Probe(bad[0], c.method, c.path, bad[1], Map.of(), INVALID));
      }
      byte[] invalidUtf8 = {'{', '"', (byte) 0xC3, '"', ':', '1', '}'};
      p.add(new Probe("invalid UTF-8", c.method, c.path, invalidUtf8, Map.of(), INVALID));
    }
    if (c.body == Body.REQUIRED) {
      p.add(new Probe("no body", c.method, c.path, null, Map.of(), INVALID));
    }
    p.addAll(c.own);
    String oversized = "{\"x\":\"" + "a".repeat(MAX_BODY + 1024) + "\"}";
    p.add(
        new Probe(
            "an oversized body",
            c.method,
            c.path,
            oversized,
            Map.of(),
            error(413, "PAYLOAD_TOO_LARGE")));
    if (c.template.contains("{tenant}")) {
      p.add(
          new Probe(
              "an unknown tenant",
              c.method,
              () -> c.path.get().replace("/v1/tenants/bad", "/v1/tenants/ghost"),
              validBody,
              Map.of(),
              NOT_FOUND));
    }
    for (String param : List.of("tenant", "key", "principal", "tokenId")) {
      if (c.template.contains("{" + param + "}")) {
        p.add(
            new Probe(
                "a NUL character in {" + param + "}",
                c.method,
                () -> withNul(c.path.get(), param),
                validBody,
                Map.of(),
                INVALID));
      }
    }
    if (c.template.contains("{key}")) {
      p.add(
          new Probe(
              "an unknown key",
              c.method,
              () -> c.path.get().replace(keyPath(c.operation), T + "/keys/no-such-key"),
              validBody,
              Map.of(),
              NOT_FOUND));
    }
    if (c.template.contains("{version}")) {
      for (String v : List.of("0", "x", "-1", "1.0", "99999999999", "%20")) {
        p.add(
            new Probe(
                "version " + v,
                c.method,
                () -> c.path.get().replace("/versions/1", "/versions/" + v),
                validBody,
                Map.of(),
                INVALID));
      }
      p.add(
          new Probe(
              "a version that does not exist",
              c.method,
              () -> c.path.get().replace("/versions/1", "/versions/99"),
              validBody,
              Map.of(),
              NOT_FOUND));
    }
    if (c.revisioned) {
      for (String bad : List.of("abc", "\"abc\"", "0", "-1", "\"\"", "*")) {
        p.add(
            new Probe(
                "If-Match " + bad, c.method, c.path, validBody, Map.of("If-Match", bad), INVALID));
      }
      for (String stale : List.of("999999", "\"999999\"", "W/\"999999\"")) {
        p.add(
            new Probe(
                "stale If-Match " + stale,
                c.method,
                c.path,
                validBody,
                Map.of("If-Match", stale),
                error(409, "CONFLICT")));
      }
    }
    if (c.paged) {
      for (String q :
          List.of(
              "pageSize=0",
              "pageSize=1001",
              "pageSize=x",
              "pageSize=-1",
              "pageSize=",
              "pageSize=1.5",
              "pageSize=2147483648",
              "pageToken=%21%21%21",
              "pageToken=%00")) {
        p.add(new Probe(q, c.method, () -> c.path.get() + "?" + q, null, Map.of(), INVALID));
      }
      if (c.operation.equals("list-audit")) {
        p.add(
            new Probe(
                "pageToken=eHl6 (not a position)",
                c.method,
                () -> c.path.get() + "?pageToken=eHl6",
                null,
                Map.of(),
                INVALID));
      }
    }
    if (c.operation.equals("re-encrypt")) {
      p.add(
          new Probe(
              "an unknown destination key",
              c.method,
              c.path,
              "{\"ciphertext\":\"" + blob + "\",\"destinationKey\":\"no-such-key\"}",
              Map.of(),
              NOT_FOUND));
    }
    if (c.operation.equals("decrypt") || c.operation.equals("re-encrypt")) {
      p.add(
          new Probe(
              "the wrong context",
              c.method,
              c.path,
              "{\"ciphertext\":\"" + blob + "\",\"context\":{\"a\":\"b\"}}",
              Map.of(),
              error(400, "INVALID_CIPHERTEXT")));
    }
    p.add(new Probe("a well-formed request", c.method, c.path, validBody, Map.of(), SUCCESS));
    if (c.body == Body.NONE) {
      p.add(
          new Probe(
              "a malformed body where none is taken", c.method, c.path, "{\"a\":", Map.of(), ANY));
    }
    return p;
  }

  /** The path with a NUL character (%00) in the segment that {@code param} fills. */
  private static String withNul(String path, String param) {
    String[] segments = path.split("/", -1);
    int index =
        switch (param) {
          case "tenant" -> 3;
          case "key", "principal" -> 5;
          case "tokenId" -> 7;
          default -> throw new IllegalArgumentException(param);
        };
    segments[index] = "a%00" + segments[index];
    return String.join("/", segments);
  }

  private String validBody(RouteCase c) {
    return switch (c.operation) {
      case "decrypt" -> "{\"ciphertext\":\"" + blob + "\"}";
      case "re-encrypt" -> "{\"ciphertext\":\"" + blob + "\",\"destinationKey\":\"k-encrypt\"}";
      case "batch" ->
          "{\"items\":[{\"op\":\"decrypt\",\"ciphertext\":\""
              + blob
              + "\"},{\"op\":\"generate-data-key\",\"key\":\"blobs\"}]}";
      default -> c.valid;
    };
  }

  @TestFactory
  Stream<DynamicNode> everyRouteRefusesBadInputWithTheRightCode() {
    return cases().stream()
        .map(
            c ->
                DynamicContainer.dynamicContainer(
                    c.operation + " (" + c.method + " " + c.template + ")",
                    probes(c).stream().map(p -> dynamicTest(p.name(), () -> check(c, p)))));
  }

  private void check(RouteCase c, Probe p) {
    String path = p.path().get();
    Response r = server.call(p.method(), path, c.token, p.body(), p.headers());
    String where = c.operation + " / " + p.name() + ": " + r;
    assertThat(r.status()).as(where).isLessThan(500);
    Expect e = p.expect();
    if (e.inFirstBatchItem()) {
      assertThat(r.status()).as(where).isEqualTo(200);
      assertThat(r.json().path("results").get(0).path("error").path("code").asText())
          .as(where)
          .isEqualTo(e.code());
      return;
    }
    if (e.status() == 0) {
      if (r.status() >= 400) {
        assertErrorShape(r);
      }
      return;
    }
    if (e.code() == null) {
      assertThat(r.status()).as(where).isBetween(200, 299);
      return;
    }
    assertError(r, e.status(), e.code());
    if (p.name().equals("an unknown field")) {
      assertThat(r.errorMessage()).as(where).contains("nope");
    }
  }

  @Test
  void theProbesCoverEveryRouteOfTheTable() {
    List<Route> table = RoutesForTesting.table();
    assertThat(cases()).hasSize(table.size());
    Set<String> ours =
        cases().stream()
            .map(c -> c.method + " " + c.template + " " + c.operation)
            .collect(Collectors.toSet());
    Set<String> theirs =
        table.stream()
            .map(r -> r.method().name() + " " + r.path() + " " + r.operation())
            .collect(Collectors.toSet());
    assertThat(ours).isEqualTo(theirs);
  }

  /** A method a path does not take: 405 with the JSON error body, on every path of the table. */
  @Test
  void wrongMethodsAre405OnEveryPath() {
    Map<String, Set<String>> methodsByPath = new LinkedHashMap<>();
    for (Route r : RoutesForTesting.table()) {
      methodsByPath.computeIfAbsent(r.path(), k -> new LinkedHashSet<>()).add(r.method().name());
    }
    for (var entry : methodsByPath.entrySet()) {
      String path =
          entry
              .getKey()
              .replace("{tenant}", "bad")
              .replace("{key}", "blobs")
              .replace("{version}", "1")
              .replace("{principal}", "victim")
              .replace("{tokenId}", "0123456789abcdef");
      for (String m : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
        if (entry.getValue().contains(m)) {
          continue;
        }
        Response r =
            server.call(
                m, path, user, m.equals("GET") || m.equals("DELETE") ? null : "{}", Map.of());
        assertThat(r.status()).as("%s %s: %s", m, path, r).isEqualTo(405);
        assertErrorShape(r);
        assertThat(r.header("Allow")).as("%s %s", m, path).isNotNull();
      }
    }
  }

  @Test
  void unknownPathsAre404WithTheJsonErrorBody() {
    for (String path :
        List.of(
            "/",
            "/v1",
            "/v2/tenants",
            "/v1/nope",
            "/v1/tenants/bad/nope",
            "/v1/tenants/bad/keys/blobs/nope",
            "/v1/tenants/bad/keys/blobs/versions/1/nope",
            "/v1/tenants/bad/keys/blobs/versions/1/enable/again",
            "/v1/audit",
            "/healthz/deep",
            "/%2e%2e/etc/passwd")) {
      for (String m : List.of("GET", "POST")) {
        Response r = server.call(m, path, user, m.equals("POST") ? "{}" : null, Map.of());
        assertError(r, 404, "NOT_FOUND");
      }
    }
  }

  /**
   * A create-principal refused for its token lifetime must not leave the principal behind (else a
   * corrected retry answers ALREADY_EXISTS and the principal has no token). Today {@code
   * IdentityService.createPrincipal} stores the principal before {@code issue} checks the ttl.
   */
  @Test
  void aPrincipalRefusedForItsTokenTtlIsNotCreated() {
    String path = T + "/principals";
    assertError(
        server.post(path, user, j("{'name':'half-made','roles':['key-user'],'tokenTtl':'P999D'}")),
        400,
        "INVALID_ARGUMENT");
    Response retry = server.post(path, user, j("{'name':'half-made','roles':['key-user']}"));
    assertThat(retry.status()).as("%s", retry).isEqualTo(201);
  }

  /**
   * A page token is opaque: one this server did not make is INVALID_ARGUMENT. Today {@code
   * PageTokens.decode} accepts any base64url, so {@code AA} (one NUL byte) reaches the store as a
   * position: a page on H2, UNAVAILABLE (503) on PostgreSQL.
   */
  @Test
  void pageTokensThisServerDidNotMakeAreRefused() {
    for (String list : List.of("/v1/tenants", T + "/keys", T + "/audit")) {
      String token = list.equals("/v1/tenants") ? server.adminToken() : user;
      assertError(server.get(list + "?pageToken=AA", token), 400, "INVALID_ARGUMENT");
    }
  }

  @Test
  void anOversizedBodyIsRefusedOverHttp11Too() {
    String oversized = "{\"plaintext\":\"" + "A".repeat(MAX_BODY + 4) + "\"}";
    Response r =
        server.send(
            HttpClient.Version.HTTP_1_1,
            "POST",
            T + "/keys/blobs/encrypt",
            user,
            oversized,
            Map.of());
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertError(r, 413, "PAYLOAD_TOO_LARGE");
  }

  private static void ok(Response r) {
    assertThat(r.status()).as("%s", r).isBetween(200, 299);
  }
}
