package io.strongroom.server.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.strongroom.api.ApiPaths;
import io.strongroom.api.ErrorResponse;
import io.strongroom.core.Blocking;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import io.strongroom.core.audit.AuditEvent;
import io.strongroom.core.audit.AuditLog;
import io.strongroom.core.service.AuditService;
import io.strongroom.core.service.CryptoService;
import io.strongroom.core.service.IdentityService;
import io.strongroom.core.service.KeyService;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.net.RFC3986;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP edge, every server's request handler: routes each request through the {@link Routes}
 * table and runs every API call the same way. On the event loop it reads the body and copies the
 * request into a {@link Call}; it then authenticates and runs the handler, on the bounded worker
 * pool (the handler may block on the store or a custodian), for a route marked {@link
 * Route#onBatchPool} on the smaller batch pool, or, for a route marked {@link
 * Route#onEventLoopFirst}, on the event loop until it would block; back on the event loop it
 * appends the call's audit record(s), and only once they are durable does it answer. At most {@code
 * maxInFlight} API calls are handled at once; past that a call is refused at once ({@link #admit}).
 * Failures of any kind go through {@link Errors}.
 */
public final class HttpApi implements Handler<HttpServerRequest> {
  private final Vertx vertx;
  private final WorkerExecutor worker;
  private final WorkerExecutor batchPool;
  private final IdentityService identity;
  private final AuditLog auditLog;
  private final PrometheusMeterRegistry metrics;
  private static final String NO_STORE = "no-store";
  private final RouteTable routeTable;
  private final Callable<Map<String, String>> readiness;
  private final Clock clock;
  private final int maxBodyBytes;
  private final int maxInFlight;

  /** API requests admitted and not yet answered, on all event loops. */
  private final AtomicInteger inFlight = new AtomicInteger();

  private final Buffer openApi;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
  private final Counter onEventLoop;
  private final Counter onWorker;
  private final Counter onBatchPool;
  private final Counter connections;

  public HttpApi(
      Vertx vertx,
      WorkerExecutor worker,
      WorkerExecutor batchPool,
      IdentityService identity,
      KeyService keys,
      CryptoService crypto,
      AuditService audit,
      AuditLog auditLog,
      PrometheusMeterRegistry metrics,
      Callable<Map<String, String>> readiness,
      Clock clock,
      int maxBodyBytes,
      int maxInFlight) {
    this.vertx = vertx;
    this.worker = worker;
    this.batchPool = batchPool;
    this.identity = identity;
    this.auditLog = auditLog;
    this.metrics = metrics;
    this.readiness = readiness;
    this.clock = clock;
    this.maxBodyBytes = maxBodyBytes;
    this.maxInFlight = maxInFlight;
    Gauge.builder("strongroom.http.in.flight", inFlight, AtomicInteger::get)
        .description("API requests admitted and not yet answered (bounded by --max-in-flight)")
        .register(metrics);
    this.routeTable =
        new RouteTable(
            Routes.table(
                new IdentityHandlers(identity),
                new KeyHandlers(keys),
                new CryptoHandlers(crypto),
                new AuditHandlers(audit)));
    this.onEventLoop = handlerCounter(metrics, "event-loop");
    this.onWorker = handlerCounter(metrics, "worker");
    this.onBatchPool = handlerCounter(metrics, "batch-pool");
    this.connections =
        Counter.builder("strongroom.http.connections")
            .description(
                "HTTP connections accepted (each paid a TLS handshake; a client that opens one per"
                    + " request shows here)")
            .register(metrics);
    this.openApi = loadOpenApi();
  }

  /**
   * Routes one request (the servers' {@code requestHandler}). Every answer names the request and
   * forbids caching. A path with a malformed escape is 400; the path is then normalised (RFC 3986:
   * dot segments removed, unreserved characters decoded) and looked up: API paths in the {@link
   * Routes} table, by comparing path segments (an unknown path is 404, a known one with a method it
   * does not take 405 with the methods it does take), the few operational paths by name. The body
   * is read only for a matched API route, and at most {@code maxBodyBytes} of it.
   */
  @Override
  public void handle(HttpServerRequest req) {
    String requestId = requestId();
    req.response()
        .putHeader(ApiPaths.REQUEST_ID_HEADER, requestId)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
    guarded(req, requestId, () -> route(req, requestId));
  }

  /**
   * Runs {@code work}, which handles the request from the event loop: should it throw (a bug), the
   * request is still audited and answered, INTERNAL, and the failure logged.
   */
  private void guarded(HttpServerRequest req, String requestId, Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      reject(req, requestId, Errors.toKms(e, requestId));
    }
  }

  private void route(HttpServerRequest req, String requestId) {
    String raw = req.path() == null ? "/" : req.path();
    if (!RouteTable.wellFormedEscapes(raw)) {
      reject(req, requestId, Errors.fromStatus(400));
      return;
    }
    String path = RFC3986.normalizePath(raw);
    if (!path.startsWith(ApiPaths.API_PREFIX)) {
      operational(req, requestId, path);
      return;
    }
    RouteTable.Match match;
    try {
      match = routeTable.match(req.method(), path);
    } catch (KmsException e) { // a path parameter that is not percent-encoded UTF-8
      reject(req, requestId, e);
      return;
    }
    if (match == null) {
      reject(req, requestId, Errors.fromStatus(404));
    } else if (match.route() == null) {
      methodNotAllowed(req, requestId, match.allow());
    } else {
      readBody(
          req,
          requestId,
          body -> guarded(req, requestId, () -> admit(req, requestId, match, body)));
    }
  }

  private void operational(HttpServerRequest req, String requestId, String path) {
    Handler<HttpServerRequest> handler =
        switch (path) {
          case ApiPaths.HEALTH -> r -> json(r.response(), 200, Map.of("status", "UP"));
          case ApiPaths.READY -> this::ready;
          case ApiPaths.METRICS ->
              r ->
                  r.response()
                      .putHeader(
                          HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                      .end(metrics.scrape());
          case ApiPaths.OPENAPI ->
              r ->
                  r.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml").end(openApi);
          default -> null;
        };
    if (handler == null) {
      reject(req, requestId, Errors.fromStatus(404));
    } else if (!HttpMethod.GET.equals(req.method())) {
      methodNotAllowed(req, requestId, "GET");
    } else {
      handler.handle(req);
    }
  }

  /**
   * Reads the body, then runs {@code then} with it (null when an HTTP/1.x request announces none).
   * A body larger than {@code maxBodyBytes} is refused with 413 as soon as that is known: from
   * {@code Content-Length} before any of it is read, else once the bytes read pass the limit.
   */
  private void readBody(HttpServerRequest req, String requestId, Handler<Buffer> then) {
    boolean http2 = req.version() == HttpVersion.HTTP_2;
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (!http2 && length == null && !req.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      then.handle(null);
      return;
    }
    if (length != null && declaredLength(length) > maxBodyBytes) {
      reject(req, requestId, Errors.fromStatus(413));
      return;
    }
    String expect = req.getHeader(HttpHeaders.EXPECT);
    if (expect != null && !http2) {
      if (!expect.equalsIgnoreCase("100-continue")) {
        reject(
            req,
            requestId,
            KmsException.invalidArgument("the only expectation this server meets is 100-continue"),
            417);
        return;
      }
      req.response().writeContinue();
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    req.handler(
        chunk -> {
          if (refused[0]) {
            return;
          }
          if (body.length() + chunk.length() > maxBodyBytes) {
            refused[0] = true;
            reject(req, requestId, Errors.fromStatus(413));
          } else {
            body.appendBuffer(chunk);
          }
        });
    req.endHandler(
        v -> {
          if (!refused[0]) {
            then.handle(body);
          }
        });
  }

  /**
   * A {@code Content-Length} value. The HTTP codecs refuse one that is not a number before a
   * request gets here; should one pass, it counts as too large to read.
   */
  private static long declaredLength(String value) {
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Sets up a new connection (the servers' {@code connectionHandler}): counts it, and lets its
   * answers share TLS records where they leave together.
   */
  public void connected(HttpConnection connection) {
    connections.increment();
    FlushCoalescing.install(connection);
  }

  /**
   * Admits a request whose body has been read, unless {@code maxInFlight} are being handled
   * already: then it is answered at once, 429 RESOURCE_EXHAUSTED with {@code Retry-After}, and not
   * audited (it was not authenticated and touched nothing). An admitted request leaves the count
   * when its answer is decided ({@link #finish}).
   */
  private void admit(HttpServerRequest req, String requestId, RouteTable.Match match, Buffer body) {
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      long start = System.nanoTime();
      KmsException busy =
          new KmsException(
              ErrorCode.RESOURCE_EXHAUSTED,
              "the server is handling as many requests as it may; retry after a moment");
      record(match.route().operation(), busy, start);
      req.response().putHeader("Retry-After", "1");
      error(req.response(), busy, requestId, Errors.status(busy.code()));
      return;
    }
    try {
      dispatch(req, requestId, match, body);
    } catch (RuntimeException e) { // before finish took the request over: the guard answers it
      inFlight.decrementAndGet();
      throw e;
    }
  }

  private void dispatch(
      HttpServerRequest req, String requestId, RouteTable.Match match, Buffer body) {
    Route route = match.route();
    long start = System.nanoTime();
    Call call =
        new Call(
            requestId,
            route.operation(),
            source(req),
            bearer(req.getHeader(HttpHeaders.AUTHORIZATION)),
            match.params(),
            req.query(),
            body,
            req.getHeader(HttpHeaders.IF_MATCH),
            clock.instant());
    HttpServerResponse res = req.response();
    if (route.runs() == Route.Runs.EVENT_LOOP_FIRST) {
      Reply reply;
      try {
        reply = Blocking.forbid(() -> handle(call, route));
        onEventLoop.increment();
      } catch (Blocking.WouldBlock e) {
        call.restart();
        onWorker(res, call, route, start);
        return;
      } catch (Throwable t) {
        onEventLoop.increment();
        finish(res, call, route, start, null, t);
        return;
      }
      finish(res, call, route, start, reply, null);
    } else {
      onWorker(res, call, route, start);
    }
  }

  private Reply handle(Call call, Route route) {
    if (call.caller == null) { // a run on a worker after an attempt on the event loop has it
      call.caller = identity.authenticate(call.bearer);
    }
    return route.handler().handle(call);
  }

  /** Runs the handler on the batch pool for a route marked so, else on the worker pool. */
  private void onWorker(HttpServerResponse res, Call call, Route route, long start) {
    boolean batch = route.runs() == Route.Runs.BATCH_POOL;
    (batch ? onBatchPool : onWorker).increment();
    (batch ? batchPool : worker)
        .executeBlocking(() -> encoded(handle(call, route)), false)
        .onComplete(ar -> finish(res, call, route, start, ar.result(), ar.cause()));
  }

  /**
   * The reply with its body as JSON already, so that a worker writes it and not an event loop (a
   * batch's answer was 40 % of the event loops' time on batches), and so that while the reply waits
   * for its audit record it holds one buffer, not a thousand result objects.
   */
  private static Reply encoded(Reply reply) {
    return reply.body() == null || reply.body() instanceof Buffer
        ? reply
        : new Reply(reply.status(), Json.write(reply.body()), reply.revision());
  }

  /** On the event loop: appends the call's audit record(s), and once they are durable, answers. */
  private void finish(
      HttpServerResponse res, Call call, Route route, long start, Reply reply, Throwable failed) {
    String requestId = call.requestId;
    KmsException error = failed == null ? null : Errors.toKms(failed, requestId);
    if (error != null) {
      call.audit(error.keyName(), error.keyVersion(), null);
    }
    List<AuditEvent> events = call.auditEvents(error == null ? null : error.code().name());
    Future.fromCompletionStage(auditLog.append(events), vertx.getOrCreateContext())
        .onComplete(
            written -> {
              inFlight.decrementAndGet();
              KmsException failure =
                  written.succeeded() ? error : Errors.toKms(written.cause(), requestId);
              // counted before the answer leaves, so a client that reads /metrics next sees it
              record(route.operation(), failure, start);
              if (failure == null) {
                reply(res, reply);
              } else {
                error(res, failure, requestId, Errors.status(failure.code()));
              }
            });
  }

  private void methodNotAllowed(HttpServerRequest req, String requestId, String allow) {
    req.response().putHeader(HttpHeaders.ALLOW, allow);
    // INVALID_ARGUMENT (405 has no code of its own), with the status HTTP asks for
    reject(req, requestId, Errors.fromStatus(405), 405);
  }

  private void reject(HttpServerRequest req, String requestId, KmsException e) {
    reject(req, requestId, e, Errors.status(e.code()));
  }

  /**
   * Answers a request refused before any handler ran (malformed, no such route, wrong method, body
   * too large), once its audit record is durable.
   */
  private void reject(HttpServerRequest req, String requestId, KmsException e, int status) {
    HttpServerResponse res = req.response();
    // HTTP/1.1: the rest of the body may still be coming, so close after answering. HTTP/2 resets
    // just the stream, and forbids connection-specific headers (RFC 9113 section 8.2.2).
    if (e.code() == ErrorCode.PAYLOAD_TOO_LARGE && req.version() != HttpVersion.HTTP_2) {
      res.putHeader(HttpHeaders.CONNECTION, "close");
    }
    long start = System.nanoTime();
    AuditEvent event =
        new AuditEvent(
            clock.instant(),
            requestId,
            null,
            null,
            "rejected-request",
            null,
            null,
            null,
            "ERROR",
            e.code().name(),
            source(req));
    Future.fromCompletionStage(auditLog.append(List.of(event)), vertx.getOrCreateContext())
        .onComplete(
            written -> {
              KmsException answer =
                  written.succeeded() ? e : Errors.toKms(written.cause(), requestId);
              record("rejected-request", answer, start);
              error(res, answer, requestId, answer == e ? status : Errors.status(answer.code()));
            });
  }

  private void ready(HttpServerRequest req) {
    worker
        .executeBlocking(readiness, false)
        .onComplete(
            ar -> {
              Map<String, String> checks =
                  ar.succeeded()
                      ? ar.result()
                      : Map.of("server", "DOWN: " + ar.cause().getMessage());
              boolean up = checks.values().stream().allMatch("UP"::equals);
              Map<String, Object> body = new LinkedHashMap<>();
              body.put("status", up ? "UP" : "DOWN");
              body.put("checks", checks);
              json(req.response(), up ? 200 : 503, body);
            });
  }

  private static void reply(HttpServerResponse res, Reply reply) {
    if (reply.revision() != null) {
      res.putHeader(HttpHeaders.ETAG, "\"" + reply.revision() + "\"");
    }
    if (reply.body() == null) {
      res.setStatusCode(reply.status()).end();
    } else {
      json(res, reply.status(), reply.body());
    }
  }

  private static void error(HttpServerResponse res, KmsException e, String requestId, int status) {
    if (res.ended() || res.closed()) {
      return; // e.g. a body found too large after an answer was already on its way
    }
    if (e.code() == ErrorCode.UNAUTHENTICATED) {
      res.putHeader("WWW-Authenticate", "Bearer realm=\"strongroom\"");
    }
    json(
        res,
        status,
        new ErrorResponse(new ErrorResponse.Detail(e.code().name(), e.getMessage(), requestId)));
  }

  /** Answers with {@code body} as JSON; a {@code Buffer} is JSON already ({@link #encoded}). */
  private static void json(HttpServerResponse res, int status, Object body) {
    res.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body instanceof Buffer json ? json : Json.write(body));
  }

  private static String source(HttpServerRequest req) {
    return req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
  }

  private void record(String operation, KmsException failure, long start) {
    String outcome = failure == null ? "OK" : failure.code().name();
    // One timer per operation and outcome, looked up once rather than rebuilt on every request.
    timers
        .computeIfAbsent(
            operation + "|" + outcome,
            k ->
                Timer.builder("strongroom.requests")
                    .description("API requests by operation and outcome")
                    .tag("operation", operation)
                    .tag("outcome", outcome)
                    .publishPercentileHistogram(false)
                    .register(metrics))
        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }

  /**
   * A random (version 4) UUID naming the request. Unique, not secret, so drawn from the thread's
   * fast generator rather than the system's cryptographic one, whose lock and system call each
   * request would otherwise pay.
   */
  private static String requestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (r.nextLong() & ~(3L << 62)) | (1L << 63);
    return new UUID(hi, lo).toString();
  }

  private static Counter handlerCounter(PrometheusMeterRegistry metrics, String thread) {
    return Counter.builder("strongroom.handlers")
        .description(
            "API calls by where their handler ran: on the event loop (cached, non-blocking), on"
                + " a worker, or on the batch pool")
        .tag("thread", thread)
        .register(metrics);
  }

  private static String bearer(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).strip();
  }

  private static Buffer loadOpenApi() {
    try (InputStream in = HttpApi.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml missing from the class path");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
