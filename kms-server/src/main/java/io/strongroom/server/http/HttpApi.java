package io.strongroom.server.http;

import io.micrometer.core.instrument.Counter;
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
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
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

/**
 * The HTTP edge: builds the router from the {@link Routes} table and runs every API call the same
 * way. On the event loop it copies the request into a {@link Call}; on the bounded worker pool it
 * authenticates and runs the handler (which may block on the store or a custodian); back on the
 * event loop it appends the call's audit record(s), and only once they are durable does it answer.
 * Failures of any kind go through {@link Errors}.
 */
public final class HttpApi {
  private final Vertx vertx;
  private final WorkerExecutor worker;
  private final IdentityService identity;
  private final AuditLog auditLog;
  private final PrometheusMeterRegistry metrics;
  private static final String MATCH = "strongroom.route";
  private final RouteTable routeTable;
  private final Callable<Map<String, String>> readiness;
  private final Clock clock;
  private final int maxBodyBytes;
  private final Buffer openApi;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
  private final Counter onEventLoop;
  private final Counter onWorker;
  private final Counter connections;

  public HttpApi(
      Vertx vertx,
      WorkerExecutor worker,
      IdentityService identity,
      KeyService keys,
      CryptoService crypto,
      AuditService audit,
      AuditLog auditLog,
      PrometheusMeterRegistry metrics,
      Callable<Map<String, String>> readiness,
      Clock clock,
      int maxBodyBytes) {
    this.vertx = vertx;
    this.worker = worker;
    this.identity = identity;
    this.auditLog = auditLog;
    this.metrics = metrics;
    this.readiness = readiness;
    this.clock = clock;
    this.maxBodyBytes = maxBodyBytes;
    this.routeTable =
        new RouteTable(
            Routes.table(
                new IdentityHandlers(identity),
                new KeyHandlers(keys),
                new CryptoHandlers(crypto),
                new AuditHandlers(audit)));
    this.onEventLoop = handlerCounter(metrics, "event-loop");
    this.onWorker = handlerCounter(metrics, "worker");
    this.connections =
        Counter.builder("strongroom.http.connections")
            .description(
                "HTTP connections accepted (each paid a TLS handshake; a client that opens one per"
                    + " request shows here)")
            .register(metrics);
    this.openApi = loadOpenApi();
  }

  /** A router for one HTTP server (one per event loop). */
  public Router router() {
    Router router = Router.router(vertx);
    router
        .route()
        .handler(
            rc -> {
              rc.response().putHeader(ApiPaths.REQUEST_ID_HEADER, requestId());
              rc.response().putHeader("Cache-Control", "no-store");
              if (RouteTable.wellFormedEscapes(rc.request().path())) {
                rc.next();
              } else {
                rc.fail(400); // INVALID_ARGUMENT "malformed request", through failure()
              }
            });
    router.get(ApiPaths.HEALTH).handler(rc -> json(rc, 200, Map.of("status", "UP")));
    router.get(ApiPaths.READY).handler(this::ready);
    router
        .get(ApiPaths.METRICS)
        .handler(
            rc ->
                rc.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.scrape()));
    router
        .get(ApiPaths.OPENAPI)
        .handler(
            rc ->
                rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml").end(openApi));
    // Every API route behind one Vert.x route: the table finds the route by comparing path
    // segments (cheaper than a regular expression per route); a known path with a method it does
    // not take is 405 with the methods it does take; the body is read only for a matched route.
    BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    router
        .route(ApiPaths.API_PREFIX + "*")
        .handler(
            rc -> {
              RouteTable.Match m = routeTable.match(rc.request().method(), rc.normalizedPath());
              if (m == null) {
                rc.fail(404);
              } else if (m.route() == null) {
                rc.response().putHeader(HttpHeaders.ALLOW, m.allow());
                rc.fail(405);
              } else {
                rc.put(MATCH, m);
                rc.next();
              }
            });
    // A route of its own: Vert.x runs a body handler only before a route's other handlers.
    router
        .route(ApiPaths.API_PREFIX + "*")
        .handler(body)
        .handler(rc -> dispatch(rc, rc.get(MATCH)));
    router.route().last().handler(rc -> rc.fail(404));
    router.route().failureHandler(this::failure);
    return router;
  }

  /**
   * Sets up a new connection (the servers' {@code connectionHandler}): counts it, and lets its
   * answers share TLS records where they leave together.
   */
  public void connected(HttpConnection connection) {
    connections.increment();
    FlushCoalescing.install(connection);
  }

  private void dispatch(RoutingContext rc, RouteTable.Match match) {
    Route route = match.route();
    long start = System.nanoTime();
    String requestId = rc.response().headers().get(ApiPaths.REQUEST_ID_HEADER);
    Call call =
        new Call(
            requestId,
            route.operation(),
            rc.request().remoteAddress() == null
                ? null
                : rc.request().remoteAddress().hostAddress(),
            bearer(rc.request().getHeader(HttpHeaders.AUTHORIZATION)),
            match.params(),
            rc.queryParams(),
            rc.body().buffer(),
            rc.request().getHeader(HttpHeaders.IF_MATCH),
            clock.instant());
    if (route.eventLoopFirst()) {
      Reply reply;
      try {
        reply = Blocking.forbid(() -> handle(call, route));
        onEventLoop.increment();
      } catch (Blocking.WouldBlock e) {
        call.restart();
        onWorker(rc, call, route, start);
        return;
      } catch (Throwable t) {
        onEventLoop.increment();
        finish(rc, call, route, start, null, t);
        return;
      }
      finish(rc, call, route, start, reply, null);
    } else {
      onWorker(rc, call, route, start);
    }
  }

  private Reply handle(Call call, Route route) {
    if (call.caller == null) { // a run on a worker after an attempt on the event loop has it
      call.caller = identity.authenticate(call.bearer);
    }
    return route.handler().handle(call);
  }

  private void onWorker(RoutingContext rc, Call call, Route route, long start) {
    onWorker.increment();
    worker
        .executeBlocking(() -> handle(call, route), false)
        .onComplete(ar -> finish(rc, call, route, start, ar.result(), ar.cause()));
  }

  /** On the event loop: appends the call's audit record(s), and once they are durable, answers. */
  private void finish(
      RoutingContext rc, Call call, Route route, long start, Reply reply, Throwable failed) {
    String requestId = call.requestId;
    KmsException error = failed == null ? null : Errors.toKms(failed, requestId);
    if (error != null) {
      call.audit(error.keyName(), error.keyVersion(), null);
    }
    List<AuditEvent> events = call.auditEvents(error == null ? null : error.code().name());
    Future.fromCompletionStage(auditLog.append(events), vertx.getOrCreateContext())
        .onComplete(
            written -> {
              KmsException failure =
                  written.succeeded() ? error : Errors.toKms(written.cause(), requestId);
              // counted before the answer leaves, so a client that reads /metrics next sees it
              record(route.operation(), failure, start);
              if (failure == null) {
                reply(rc, reply);
              } else {
                error(rc, failure, requestId);
              }
            });
  }

  /** Failures raised before a handler ran: body too large, no such route, wrong method. */
  private void failure(RoutingContext rc) {
    String requestId = rc.response().headers().get(ApiPaths.REQUEST_ID_HEADER);
    KmsException e =
        rc.failure() != null
            ? Errors.toKms(rc.failure(), requestId)
            : Errors.fromStatus(rc.statusCode());
    if (rc.response().ended()) {
      return;
    }
    // HTTP/1.1: the rest of the body may still be coming, so close after answering. HTTP/2 resets
    // just the stream, and forbids connection-specific headers (RFC 9113 section 8.2.2).
    if (e.code() == ErrorCode.PAYLOAD_TOO_LARGE && rc.request().version() != HttpVersion.HTTP_2) {
      rc.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    boolean methodNotAllowed = rc.failure() == null && rc.statusCode() == 405;
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
            rc.request().remoteAddress() == null
                ? null
                : rc.request().remoteAddress().hostAddress());
    Future.fromCompletionStage(auditLog.append(List.of(event)), vertx.getOrCreateContext())
        .onComplete(
            written -> {
              KmsException answer =
                  written.succeeded() ? e : Errors.toKms(written.cause(), requestId);
              record("rejected-request", answer, start);
              // 405 has no code of its own: INVALID_ARGUMENT, with the status HTTP asks for.
              error(
                  rc,
                  answer,
                  requestId,
                  methodNotAllowed && answer == e ? 405 : Errors.status(answer.code()));
            });
  }

  private void ready(RoutingContext rc) {
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
              json(rc, up ? 200 : 503, body);
            });
  }

  private void reply(RoutingContext rc, Reply reply) {
    if (reply.revision() != null) {
      rc.response().putHeader(HttpHeaders.ETAG, "\"" + reply.revision() + "\"");
    }
    if (reply.body() == null) {
      rc.response().setStatusCode(reply.status()).end();
    } else {
      json(rc, reply.status(), reply.body());
    }
  }

  private static void error(RoutingContext rc, KmsException e, String requestId) {
    error(rc, e, requestId, Errors.status(e.code()));
  }

  private static void error(RoutingContext rc, KmsException e, String requestId, int status) {
    if (e.code() == ErrorCode.UNAUTHENTICATED) {
      rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"strongroom\"");
    }
    json(
        rc,
        status,
        new ErrorResponse(new ErrorResponse.Detail(e.code().name(), e.getMessage(), requestId)));
  }

  private static void json(RoutingContext rc, int status, Object body) {
    rc.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(Json.write(body));
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
            "API calls by where their handler ran: on the event loop (cached, non-blocking) or on"
                + " a worker")
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
