package io.strongroom.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.strongroom.server.StrongroomServer;
import io.strongroom.server.config.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Strongroom server for end-to-end tests: started in-process in a fresh temporary data
 * directory on a free port ({@link StrongroomServer#start} returns once it serves, so nobody waits
 * or sleeps), and a JDK {@link HttpClient} that trusts only the server's own {@code tls/ca.pem}.
 *
 * <p>Every response passes through {@link #send}, which checks that it carries {@code
 * X-Request-Id}, so every test checks that header on every call it makes.
 */
public final class TestServer implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final StrongroomServer server;
  private Runnable afterClose = () -> {};
  private final String adminToken;
  private final SSLContext ssl;
  private final HttpClient client;

  private final boolean ownsDir;

  private TestServer(Path dir, StrongroomServer server, boolean ownsDir) throws Exception {
    this.dir = dir;
    this.server = server;
    this.ownsDir = ownsDir;
    this.adminToken = server.bootstrapToken().map(t -> t.secret()).orElse(null);
    this.ssl = trusting(dir.resolve("tls").resolve("ca.pem"));
    this.client =
        HttpClient.newBuilder()
            .sslContext(ssl)
            .version(HttpClient.Version.HTTP_2)
            .connectTimeout(TIMEOUT)
            .build();
  }

  /** Starts a server with the default configuration (TLS 1.3 only, embedded H2). */
  public static TestServer start() throws Exception {
    return start(UnaryOperator.identity());
  }

  /**
   * Starts a server whose configuration is the defaults for a fresh temporary directory and port 0,
   * changed by {@code customize} (see {@link #withMaxBodyBytes} and {@link #withTlsProtocols}).
   */
  public static TestServer start(UnaryOperator<ServerConfig> customize) throws Exception {
    return start(customize, Clock.tick(Clock.systemUTC(), Duration.ofMillis(1)));
  }

  /** As {@link #start(UnaryOperator)}, with the server telling the time by {@code clock}. */
  public static TestServer start(UnaryOperator<ServerConfig> customize, Clock clock)
      throws Exception {
    Path dir = Files.createTempDirectory("strongroom-e2e-");
    try {
      StrongroomServer server =
          StrongroomServer.start(customize.apply(ServerConfig.defaults(dir, 0)), clock);
      try {
        return new TestServer(dir, server, true);
      } catch (Exception | Error e) {
        server.close();
        throw e;
      }
    } catch (Exception | Error e) {
      deleteRecursively(dir);
      throw e;
    }
  }

  /**
   * Starts a server on a data directory the caller owns (kept on {@link #close}, so that another
   * server can start on it later), with the defaults for {@code dataDir} and port 0 changed by
   * {@code customize}. On a restart no bootstrap token is issued unless the configuration asks for
   * one, so {@link #adminToken()} is null then.
   */
  public static TestServer startIn(Path dataDir, UnaryOperator<ServerConfig> customize)
      throws Exception {
    StrongroomServer server =
        StrongroomServer.start(customize.apply(ServerConfig.defaults(dataDir, 0)));
    try {
      return new TestServer(dataDir, server, false);
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
  }

  /**
   * Starts a server on a fresh PostgreSQL database (embedded, or the server that {@link
   * TestPostgres} is pointed at), dropped again on {@link #close}.
   */
  public static TestServer startOnPostgres(UnaryOperator<ServerConfig> customize) throws Exception {
    TestPostgres.Target db = TestPostgres.freshDatabase();
    try {
      TestServer s =
          start(c -> customize.apply(withDatabase(c, db.url(), db.user(), db.password())));
      s.afterClose = () -> TestPostgres.drop(db);
      return s;
    } catch (Exception | Error e) {
      TestPostgres.drop(db);
      throw e;
    }
  }

  public static ServerConfig withDatabase(
      ServerConfig c, String url, String user, String password) {
    ServerConfig.Builder b = c.toBuilder();
    b.dbUrl = url;
    b.dbUser = user;
    b.dbPassword = password;
    b.dbPoolSize = 4;
    return b.build();
  }

  public static ServerConfig withRootKeyFile(ServerConfig c, Path rootKeyFile) {
    ServerConfig.Builder b = c.toBuilder();
    b.rootKeyFile = rootKeyFile;
    return b.build();
  }

  public static ServerConfig withMaxBodyBytes(ServerConfig c, int maxBodyBytes) {
    ServerConfig.Builder b = c.toBuilder();
    b.maxBodyBytes = maxBodyBytes;
    return b.build();
  }

  public static ServerConfig withMaxInFlight(ServerConfig c, int maxInFlight) {
    ServerConfig.Builder b = c.toBuilder();
    b.maxInFlight = maxInFlight;
    return b.build();
  }

  public static ServerConfig withTlsProtocols(ServerConfig c, Set<String> protocols) {
    ServerConfig.Builder b = c.toBuilder();
    b.tlsProtocols = protocols;
    return b.build();
  }

  /** An SSL context that trusts exactly the certificates in one PEM file, nothing else. */
  public static SSLContext trusting(Path caPem) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caPem)) {
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  public StrongroomServer server() {
    return server;
  }

  public String adminToken() {
    return adminToken;
  }

  public SSLContext sslContext() {
    return ssl;
  }

  public int port() {
    return server.port();
  }

  public Path dataDir() {
    return dir;
  }

  public URI uri(String pathAndQuery) {
    return URI.create(server.endpoint() + pathAndQuery);
  }

  // ---- HTTP ----

  /** One HTTP exchange's answer. {@code json} is a MissingNode when the body is not JSON. */
  public record Response(
      int status, HttpHeaders headers, String body, JsonNode json, HttpClient.Version version) {
    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    public String requestId() {
      return header("X-Request-Id");
    }

    public String errorCode() {
      return json.path("error").path("code").asText(null);
    }

    public String errorMessage() {
      return json.path("error").path("message").asText(null);
    }

    /** The error body without its request id, for comparing two answers. */
    public JsonNode errorWithoutRequestId() {
      JsonNode copy = json.deepCopy();
      if (copy.path("error").isObject()) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy.get("error")).remove("requestId");
      }
      return copy;
    }

    /** The revision in the ETag header, quotes and all, ready for If-Match. */
    public String etag() {
      return header("ETag");
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  /**
   * Sends a request over HTTPS (HTTP/2 negotiated by ALPN).
   *
   * @param body null for none; a {@code String} or {@code byte[]} is sent as is; anything else is
   *     serialized as JSON
   * @param headers extra request headers (may be empty)
   */
  public Response call(
      String method, String path, String token, Object body, Map<String, String> headers) {
    return send(HttpClient.Version.HTTP_2, method, path, token, body, headers);
  }

  public Response get(String path, String token) {
    return call("GET", path, token, null, Map.of());
  }

  public Response post(String path, String token, Object body) {
    return call("POST", path, token, body, Map.of());
  }

  public Response patch(String path, String token, Object body, String ifMatch) {
    return call(
        "PATCH", path, token, body, ifMatch == null ? Map.of() : Map.of("If-Match", ifMatch));
  }

  public Response delete(String path, String token) {
    return call("DELETE", path, token, null, Map.of());
  }

  /** Like {@link #call} with an explicit HTTP version (HTTP_1_1 forces HTTP/1.1). */
  public Response send(
      HttpClient.Version version,
      String method,
      String path,
      String token,
      Object body,
      Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .version(version)
            .timeout(TIMEOUT)
            .method(method, publisher(body));
    if (body != null && !(body instanceof byte[])) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    HttpResponse<String> r;
    try {
      r = client.send(b.build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    JsonNode json = MissingNode.getInstance();
    String type = r.headers().firstValue("Content-Type").orElse("");
    if (type.startsWith("application/json") && !r.body().isEmpty()) {
      try {
        json = JSON.readTree(r.body());
      } catch (JsonProcessingException e) {
        throw new AssertionError(method + " " + path + " answered invalid JSON: " + r.body(), e);
      }
    }
    Response resp = new Response(r.statusCode(), r.headers(), r.body(), json, r.version());
    assertThat(resp.requestId()).as("X-Request-Id on %s %s -> %s", method, path, resp).isNotBlank();
    return resp;
  }

  private static BodyPublisher publisher(Object body) {
    if (body == null) {
      return BodyPublishers.noBody();
    }
    if (body instanceof byte[] bytes) {
      return BodyPublishers.ofByteArray(bytes);
    }
    if (body instanceof String s) {
      return BodyPublishers.ofString(s, StandardCharsets.UTF_8);
    }
    try {
      return BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A JSON object from alternating names and values, in order; null values are left out. */
  public static Map<String, Object> obj(Object... namesAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1] != null) {
        m.put((String) namesAndValues[i], namesAndValues[i + 1]);
      }
    }
    return m;
  }

  // ---- set-up helpers (each asserts success) ----

  /** Creates a tenant as the platform admin. */
  public void createTenant(String name) {
    Response r = post("/v1/tenants", adminToken, obj("name", name));
    assertThat(r.status()).as("create tenant %s: %s", name, r).isEqualTo(201);
  }

  /** Creates a principal with roles (wire names) as the platform admin; returns its token. */
  public String createPrincipal(String tenant, String name, String... roles) {
    Response r =
        post(
            "/v1/tenants/" + tenant + "/principals",
            adminToken,
            obj("name", name, "roles", List.of(roles)));
    assertThat(r.status()).as("create principal %s/%s: %s", tenant, name, r).isEqualTo(201);
    return r.json().path("token").path("token").asText();
  }

  /** "operation outcome error_code" of each audit record the log holds for a request id. */
  public List<String> audited(String requestId) {
    return server
        .database()
        .query(
            "SELECT operation, outcome, error_code FROM audit_log WHERE request_id = ? ORDER BY seq",
            ps -> ps.setString(1, requestId),
            rs -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
  }

  /** Creates a SOFTWARE key with the given (key-admin) token; returns the key's JSON. */
  public JsonNode createKey(String tenant, String token, String name) {
    Response r =
        post("/v1/tenants/" + tenant + "/keys", token, obj("name", name, "protection", "SOFTWARE"));
    assertThat(r.status()).as("create key %s/%s: %s", tenant, name, r).isEqualTo(201);
    return r.json();
  }

  @Override
  public void close() {
    try {
      client.close();
      server.close();
    } finally {
      if (ownsDir) {
        deleteRecursively(dir);
      }
      afterClose.run();
    }
  }

  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // best effort: a temporary directory
                }
              });
    } catch (IOException e) {
      // best effort
    }
  }
}
