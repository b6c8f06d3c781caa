package io.strongroom.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A scripted HTTPS stub (JDK {@link HttpsServer}) standing in for Strongroom where the real server
 * cannot be made to answer on demand: 503 then 200, a 429 with {@code Retry-After}, a proxy's
 * non-JSON error page, a client-certificate check. Replies are queued per "METHOD path"; the last
 * one repeats. Every answer carries {@code X-Request-Id}.
 */
final class FakeStrongroomServer implements AutoCloseable {
  /** One scripted answer. */
  record Reply(
      int status, String contentType, String body, Map<String, String> headers, long delayMillis) {
    Reply(int status, String contentType, String body, Map<String, String> headers) {
      this(status, contentType, body, headers, 0);
    }

    static Reply json(int status, String body) {
      return new Reply(status, "application/json", body, Map.of());
    }

    static Reply error(int status, String code) {
      return json(
          status,
          "{\"error\":{\"code\":\""
              + code
              + "\",\"message\":\"scripted "
              + code
              + "\",\"requestId\":\"fake-"
              + UUID.randomUUID()
              + "\"}}");
    }

    Reply withHeader(String name, String value) {
      Map<String, String> h = new java.util.HashMap<>(headers);
      h.put(name, value);
      return new Reply(status, contentType, body, h, delayMillis);
    }

    /** This answer, sent only after {@code millis}. */
    Reply delayed(long millis) {
      return new Reply(status, contentType, body, headers, millis);
    }
  }

  /** What one request carried. */
  record Seen(String method, String path, String authorization, String ifMatch, String peer) {}

  private final HttpsServer server;
  private final Map<String, Deque<Reply>> script = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  private FakeStrongroomServer(HttpsServer server) {
    this.server = server;
  }

  /**
   * @param requireClientCertificate whether the TLS handshake needs a client certificate
   */
  static FakeStrongroomServer start(TestPki pki, boolean requireClientCertificate)
      throws Exception {
    HttpsServer s =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.setHttpsConfigurator(
        new HttpsConfigurator(pki.serverContext()) {
          @Override
          public void configure(HttpsParameters params) {
            params.setNeedClientAuth(requireClientCertificate);
            params.setProtocols(new String[] {"TLSv1.3"});
          }
        });
    FakeStrongroomServer fake = new FakeStrongroomServer(s);
    s.createContext("/", fake::handle);
    s.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    s.start();
    return fake;
  }

  URI endpoint() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Queues answers for {@code method path} (path without query); the last one repeats. */
  FakeStrongroomServer on(String method, String path, Reply... replies) {
    script.computeIfAbsent(method + " " + path, k -> new ArrayDeque<>()).addAll(List.of(replies));
    return this;
  }

  /** How many requests {@code method path} received. */
  int count(String method, String path) {
    AtomicInteger n = counts.get(method + " " + path);
    return n == null ? 0 : n.get();
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String key = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
      counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      String peer = null;
      if (ex instanceof HttpsExchange https) {
        try {
          peer =
              ((X509Certificate) https.getSSLSession().getPeerCertificates()[0])
                  .getSubjectX500Principal()
                  .getName();
        } catch (SSLPeerUnverifiedException e) {
          peer = null;
        }
      }
      seen.add(
          new Seen(
              ex.getRequestMethod(),
              ex.getRequestURI().getPath(),
              ex.getRequestHeaders().getFirst("Authorization"),
              ex.getRequestHeaders().getFirst("If-Match"),
              peer));
      ex.getRequestBody().readAllBytes();
      Reply r;
      Deque<Reply> q = script.get(key);
      synchronized (this) {
        if (q == null || q.isEmpty()) {
          r = Reply.error(404, "NOT_FOUND");
        } else {
          r = q.size() > 1 ? q.poll() : q.peek();
        }
      }
      if (r.delayMillis() > 0) {
        try {
          Thread.sleep(r.delayMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("X-Request-Id", "fake-" + UUID.randomUUID());
      if (r.contentType() != null) {
        ex.getResponseHeaders().set("Content-Type", r.contentType());
      }
      r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
      ex.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
