package io.strongroom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strongroom.api.CryptoMessages.BatchItem;
import io.strongroom.client.AlreadyExistsException;
import io.strongroom.client.StrongroomClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The HTTP load generator ({@code bench/run.sh load}): drives one operation against a Strongroom
 * server over HTTPS and reports throughput, latency percentiles (HdrHistogram), errors by code and
 * the server's CPU time, as a table or as one JSON object.
 *
 * <ul>
 *   <li>Without {@code --target} it starts the server jar on its embedded default in a temporary
 *       directory (H2, durable audit, TLS 1.3) and stops it afterwards; it then also reports the
 *       server's CPU seconds and resident memory during the measured window.
 *   <li>It creates what it needs: a tenant, a principal (key-admin, key-user), a key and, for
 *       decrypt and re-encrypt, a pool of wrapped data keys.
 *   <li><b>Closed loop</b> (default): each of {@code --connections} connections has one request in
 *       flight and sends the next when the answer arrives. <b>Open loop</b> ({@code --rate R}):
 *       requests are sent at R per second whatever the answers do, and each latency is measured
 *       from the moment the request was due, not from when it could be sent, so a slow server shows
 *       as latency instead of hiding as fewer requests (no coordinated omission).
 *   <li>The warm-up is a closed loop in both modes. Requests due within the measured window count,
 *       however late they are answered; those still unanswered 30 s after the window count as
 *       errors {@code TIMEOUT}.
 * </ul>
 */
@Command(
    name = "bench/run.sh load",
    mixinStandardHelpOptions = true,
    description = "HTTP load generator for Strongroom.")
public final class LoadGenerator implements java.util.concurrent.Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> CONTEXT = Map.of("app", "load", "table", "orders");
  private static final String TENANT = "load";
  private static final String KEY = "load-key";
  private static final int DRAIN_SECONDS = 30;

  @Option(
      names = "--op",
      required = true,
      description =
          "generate-data-key, decrypt, encrypt, re-encrypt or batch (batch of --batch generate-data-key items).")
  String op;

  @Option(names = "--connections", defaultValue = "64", description = "Connections (default 64).")
  int connections;

  @Option(names = "--duration", defaultValue = "10", description = "Measured seconds (default 10).")
  int duration;

  @Option(
      names = "--warmup",
      defaultValue = "5",
      description = "Seconds of load before measuring (default 5).")
  int warmup;

  @Option(names = "--rate", description = "Open loop: requests per second (default: closed loop).")
  Integer rate;

  @Option(names = "--batch", defaultValue = "100", description = "Items per batch request.")
  int batch;

  @Option(names = "--http1", description = "HTTP/1.1 instead of HTTP/2.")
  boolean http1;

  @Option(
      names = "--protection",
      defaultValue = "SOFTWARE",
      description = "Protection level of the key (default SOFTWARE).")
  String protection;

  @Option(names = "--target", description = "Server URL (default: start an embedded server).")
  URI target;

  @Option(names = "--token", description = "Admin token for --target (platform admin).")
  String token;

  @Option(names = "--cacert", description = "CA certificate (PEM) for --target.")
  Path cacert;

  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  /** What one run measured. */
  record Result(
      String op,
      int connections,
      boolean http2,
      Integer rate,
      int itemsPerRequest,
      double seconds,
      long requests,
      double requestsPerSecond,
      double opsPerSecond,
      double p50Ms,
      double p90Ms,
      double p99Ms,
      double p999Ms,
      double maxMs,
      Map<String, Long> errors,
      Double serverCpuSeconds,
      Long serverResidentBytes) {

    ObjectNode toJson() {
      ObjectNode o = JSON.valueToTree(this);
      o.put("errorCount", errors.values().stream().mapToLong(Long::longValue).sum());
      return o;
    }

    String table() {
      StringBuilder b = new StringBuilder();
      b.append(
          String.format(
              Locale.ROOT,
              "op %s, %d connections over %s, %s, %d item(s) per request, %.1f s measured%n",
              op,
              connections,
              http2 ? "HTTP/2" : "HTTP/1.1",
              rate == null ? "closed loop" : "open loop at " + rate + " requests/s",
              itemsPerRequest,
              seconds));
      b.append(
          String.format(
              Locale.ROOT,
              "  requests  %,d (%,.0f/s), operations %,.0f/s%n",
              requests,
              requestsPerSecond,
              opsPerSecond));
      b.append(
          String.format(
              Locale.ROOT,
              "  latency   p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms%n",
              p50Ms,
              p90Ms,
              p99Ms,
              p999Ms,
              maxMs));
      b.append("  errors    ").append(errors.isEmpty() ? "none" : errors).append('\n');
      if (serverCpuSeconds != null) {
        b.append(
            String.format(
                Locale.ROOT,
                "  server    %.1f CPU seconds (%.0f µs per request), resident %d MB%n",
                serverCpuSeconds,
                requests == 0 ? 0 : serverCpuSeconds * 1e6 / requests,
                serverResidentBytes == null ? -1 : serverResidentBytes / (1024 * 1024)));
      }
      return b.toString();
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoadGenerator()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Result r = run();
    System.out.print(json ? JSON.writeValueAsString(r.toJson()) + "\n" : r.table());
    return 0;
  }

  /** Runs the load as configured and returns what it measured. */
  Result run() throws Exception {
    if (!List.of("generate-data-key", "decrypt", "encrypt", "re-encrypt", "batch").contains(op)) {
      throw new CommandLine.ParameterException(new CommandLine(this), "unknown --op " + op);
    }
    if (target != null) {
      if (token == null || cacert == null) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--target needs --token and --cacert");
      }
      return drive(target, token, cacert, null);
    }
    Path dir = Files.createTempDirectory("strongroom-load");
    try (ServerProcess server = ServerProcess.start(dir, List.of())) {
      return drive(
          URI.create(server.endpoint()), server.adminToken(), server.caCertificate(), server);
    } finally {
      deleteRecursively(dir);
    }
  }

  private Result drive(URI endpoint, String adminToken, Path ca, ServerProcess server)
      throws Exception {
    App app = prepare(endpoint, adminToken, ca, TENANT, KEY, protection);
    List<Buffer> bodies = bodies(app.client());
    String path = path();
    int items = "batch".equals(op) ? batch : 1;

    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      HttpClientOptions options =
          new HttpClientOptions()
              .setSsl(true)
              .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
              .setDefaultHost(endpoint.getHost())
              .setDefaultPort(endpoint.getPort());
      if (!http1) {
        options.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true);
        options.setHttp2MultiplexingLimit(1);
      }
      HttpClientAgent client =
          vertx.createHttpClient(
              options, new PoolOptions().setHttp1MaxSize(connections).setHttp2MaxSize(connections));
      Run run = new Run(vertx, client, path, "Bearer " + app.token(), bodies);
      CompletableFuture<Void> done = new CompletableFuture<>();
      vertx.runOnContext(v -> run.start(warmup, duration, done));
      Double cpuBefore = null;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
      sleepUntil(until);
      if (server != null) {
        cpuBefore = server.cpuSeconds();
      }
      done.get(warmup + duration + DRAIN_SECONDS + 60L, TimeUnit.SECONDS);
      Double cpu = server == null ? null : server.cpuSeconds() - cpuBefore;
      Long rss = server == null ? null : server.residentBytes();
      client.close().await();
      return run.result(items, cpu, rss);
    } finally {
      vertx.close().await();
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  private String path() {
    return switch (op) {
      case "generate-data-key" -> "/v1/tenants/" + TENANT + "/keys/" + KEY + "/generate-data-key";
      case "encrypt" -> "/v1/tenants/" + TENANT + "/keys/" + KEY + "/encrypt";
      case "decrypt" -> "/v1/tenants/" + TENANT + "/decrypt";
      case "re-encrypt" -> "/v1/tenants/" + TENANT + "/re-encrypt";
      default -> "/v1/tenants/" + TENANT + "/batch";
    };
  }

  /** A principal's token and a client with it. */
  record App(String token, StrongroomClient client) {}

  /**
   * Creates, on the server at {@code endpoint}, the tenant and key (unless they exist from an
   * earlier run) and a new principal with the key-admin and key-user roles.
   */
  static App prepare(
      URI endpoint, String adminToken, Path ca, String tenant, String key, String protection) {
    StrongroomClient admin =
        StrongroomClient.builder().endpoint(endpoint).token(adminToken).caCertificate(ca).build();
    try {
      admin.createTenant(tenant, "benchmark");
    } catch (AlreadyExistsException earlierRun) {
      // a --target server used before
    }
    String appToken =
        admin
            .createPrincipal(
                tenant,
                "bench-" + Long.toString(System.nanoTime(), 36),
                List.of("key-admin", "key-user"),
                null)
            .token()
            .token();
    StrongroomClient app =
        StrongroomClient.builder().endpoint(endpoint).token(appToken).caCertificate(ca).build();
    try {
      app.createKey(
          tenant,
          new io.strongroom.api.KeyMessages.CreateKeyRequest(key, protection, null, null, null));
    } catch (AlreadyExistsException earlierRun) {
      // the key exists from an earlier run
    }
    return new App(appToken, app);
  }

  /** Request bodies to cycle through: one for most operations, a pool for decrypt/re-encrypt. */
  private List<Buffer> bodies(StrongroomClient app) {
    List<Buffer> out = new ArrayList<>();
    ObjectNode ctx = JSON.valueToTree(CONTEXT);
    switch (op) {
      case "generate-data-key" -> out.add(buffer(JSON.createObjectNode().set("context", ctx)));
      case "encrypt" -> {
        byte[] plaintext = new byte[32];
        ThreadLocalRandom.current().nextBytes(plaintext);
        ObjectNode b = JSON.createObjectNode();
        b.put("plaintext", Base64.getEncoder().encodeToString(plaintext));
        b.set("context", ctx);
        out.add(buffer(b));
      }
      case "batch" -> {
        ObjectNode b = JSON.createObjectNode();
        var itemsNode = b.putArray("items");
        for (int i = 0; i < batch; i++) {
          ObjectNode item = itemsNode.addObject();
          item.put("op", "generate-data-key");
          item.put("key", KEY);
          item.set("context", ctx);
        }
        out.add(buffer(b));
      }
      default -> {
        // 1000 wrapped data keys in one batch call
        List<BatchItem> items = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          items.add(
              new BatchItem(
                  "generate-data-key", KEY, null, null, CONTEXT, null, false, null, null));
        }
        for (var result : app.batch(TENANT, items).results()) {
          if (result.error() != null) {
            throw new IllegalStateException("cannot make data keys: " + result.error().code());
          }
          ObjectNode b = JSON.createObjectNode();
          b.put("ciphertext", result.ciphertext());
          b.set("context", ctx);
          out.add(buffer(b));
        }
      }
    }
    return out;
  }

  private static Buffer buffer(JsonNode node) {
    try {
      return Buffer.buffer(JSON.writeValueAsBytes(node));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One run's state; every method runs on the client's single event loop. */
  private final class Run {
    private final Vertx vertx;
    private final HttpClientAgent client;
    private final String path;
    private final String authorization;
    private final List<Buffer> bodies;
    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final Map<String, Long> errors = new TreeMap<>();
    private long measureFrom;
    private long measureUntil;
    private long completed;
    private long next;
    private boolean stopping;
    private int inFlight;
    private long pendingInWindow;
    private long lastEnd;
    private CompletableFuture<Void> done;

    Run(Vertx vertx, HttpClientAgent client, String path, String authorization, List<Buffer> b) {
      this.vertx = vertx;
      this.client = client;
      this.path = path;
      this.authorization = authorization;
      this.bodies = b;
    }

    void start(int warmupSeconds, int seconds, CompletableFuture<Void> done) {
      this.done = done;
      long now = System.nanoTime();
      measureFrom = now + TimeUnit.SECONDS.toNanos(warmupSeconds);
      measureUntil = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
      // The warm-up is always a closed loop, so that a cold server does not build a backlog that
      // an open loop would then measure; an open loop starts with the measured window.
      for (int i = 0; i < connections; i++) {
        closedLoop();
      }
      if (rate != null) {
        vertx.setTimer(
            Math.max(1, TimeUnit.NANOSECONDS.toMillis(measureFrom - now)),
            id -> openLoop(measureFrom, 0));
      }
      vertx.setTimer(
          TimeUnit.NANOSECONDS.toMillis(measureUntil - now) + 1,
          id -> {
            stopping = true;
            finishIfIdle();
            // requests due in the window that have not been answered after this count as TIMEOUT
            vertx.setTimer(
                TimeUnit.SECONDS.toMillis(DRAIN_SECONDS),
                late -> {
                  if (!done.isDone()) {
                    if (pendingInWindow > 0) {
                      errors.merge("TIMEOUT", pendingInWindow, Long::sum);
                      completed += pendingInWindow;
                    }
                    done.complete(null);
                  }
                });
          });
    }

    private void closedLoop() {
      long now = System.nanoTime();
      if (stopping || (rate != null && now >= measureFrom)) {
        finishIfIdle();
        return;
      }
      send(now).onComplete(ar -> closedLoop());
    }

    /** Sends every request due by now, then sleeps until the next is due. */
    private void openLoop(long start, long sent) {
      if (stopping) {
        return;
      }
      long intervalNanos = 1_000_000_000L / rate;
      long now = System.nanoTime();
      long n = sent;
      while (start + n * intervalNanos <= now) {
        send(start + n * intervalNanos);
        n++;
      }
      long wait = start + n * intervalNanos - now;
      long sentSoFar = n;
      vertx.setTimer(
          Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)), id -> openLoop(start, sentSoFar));
    }

    private Future<Void> send(long due) {
      Buffer body = bodies.get((int) (next++ % bodies.size()));
      boolean inWindow = due >= measureFrom && due < measureUntil;
      inFlight++;
      if (inWindow) {
        pendingInWindow++;
      }
      return client
          .request(
              new RequestOptions()
                  .setMethod(HttpMethod.POST)
                  .setURI(path)
                  .putHeader(HttpHeaders.AUTHORIZATION, authorization)
                  .putHeader(HttpHeaders.CONTENT_TYPE, "application/json"))
          .compose(req -> req.send(body))
          .compose(resp -> resp.body().map(b -> outcome(resp.statusCode(), b)))
          .otherwise(e -> "CONNECTION")
          .map(
              code -> {
                inFlight--;
                long end = System.nanoTime();
                if (inWindow && !done.isDone()) {
                  pendingInWindow--;
                  completed++;
                  lastEnd = Math.max(lastEnd, end);
                  latency.recordValue(Math.min(end - due, latency.getHighestTrackableValue()));
                  if (code != null) {
                    errors.merge(code, 1L, Long::sum);
                  }
                }
                if (stopping) {
                  finishIfIdle();
                }
                return null;
              });
    }

    /** null for a 2xx answer whose batch items all succeeded, else the error code. */
    private String outcome(int status, Buffer body) {
      if (status / 100 == 2) {
        if (batch > 0 && "batch".equals(op) && body.toString().contains("\"error\"")) {
          return "BATCH_ITEM_ERROR";
        }
        return null;
      }
      try {
        String code = JSON.readTree(body.getBytes()).path("error").path("code").asText("");
        return code.isEmpty() ? "HTTP_" + status : code;
      } catch (java.io.IOException e) {
        return "HTTP_" + status;
      }
    }

    private void finishIfIdle() {
      if (stopping && inFlight == 0 && !done.isDone()) {
        done.complete(null);
      }
    }

    Result result(int items, Double cpu, Long rss) {
      // the window, stretched to the last answer to a request due in it: an overloaded server
      // answers an open loop's requests late, and the rate it achieved is what it answered per
      // second, not what was offered
      double seconds = (Math.max(measureUntil, lastEnd) - measureFrom) / 1e9;
      double ms = 1e6;
      return new Result(
          op,
          connections,
          !http1,
          rate,
          items,
          seconds,
          completed,
          completed / seconds,
          completed * (double) items / seconds,
          latency.getValueAtPercentile(50) / ms,
          latency.getValueAtPercentile(90) / ms,
          latency.getValueAtPercentile(99) / ms,
          latency.getValueAtPercentile(99.9) / ms,
          latency.getMaxValue() / ms,
          errors,
          cpu,
          rss);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      // a temporary directory: left for the system to clean
    }
  }
}
