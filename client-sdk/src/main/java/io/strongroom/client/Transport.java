package io.strongroom.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strongroom.api.ApiPaths;
import io.strongroom.api.ErrorResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Sends calls over one {@link HttpClient}: builds requests (a fresh token per attempt), maps error
 * answers to typed exceptions and retries transient failures of calls that are safe to repeat.
 */
final class Transport implements AutoCloseable {
  static final ObjectMapper JSON =
      new ObjectMapper()
          .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private static final String USER_AGENT = "strongroom-java-sdk/0.1";

  private final HttpClient http;
  private final String base;
  private final Supplier<String> tokens;
  private final Duration requestTimeout;
  private final RetryPolicy retry;
  private final RetryListener listener;
  private final Executor executor;
  private final AtomicBoolean closed = new AtomicBoolean();

  Transport(
      HttpClient http,
      URI endpoint,
      Supplier<String> tokens,
      Duration requestTimeout,
      RetryPolicy retry,
      RetryListener listener,
      Executor executor) {
    this.http = http;
    String b = endpoint.toString();
    this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    this.tokens = tokens;
    this.requestTimeout = requestTimeout;
    this.retry = retry;
    this.listener = listener;
    this.executor = executor;
  }

  HttpClient httpClient() {
    return http;
  }

  // ---- calls ----

  /** One API call: what to send, whether it may be repeated, and how to read the answer. */
  static final class Call<T> {
    final String operation;
    final String method;
    final String path;
    final byte[] body;
    final String ifMatch;
    final boolean authenticated;
    final boolean idempotent;
    final Set<Integer> acceptedErrorStatuses;
    final Function<HttpResponse<byte[]>, T> decoder;

    private Call(
        String operation,
        String method,
        String path,
        byte[] body,
        String ifMatch,
        boolean authenticated,
        boolean idempotent,
        Set<Integer> acceptedErrorStatuses,
        Function<HttpResponse<byte[]>, T> decoder) {
      this.operation = operation;
      this.method = method;
      this.path = path;
      this.body = body;
      this.ifMatch = ifMatch;
      this.authenticated = authenticated;
      this.idempotent = idempotent;
      this.acceptedErrorStatuses = acceptedErrorStatuses;
      this.decoder = decoder;
    }

    /** The same call with its result converted by {@code f} (e.g. base64 to bytes). */
    <R> Call<R> map(Function<? super T, ? extends R> f) {
      return new Call<R>(
          operation,
          method,
          path,
          body,
          ifMatch,
          authenticated,
          idempotent,
          acceptedErrorStatuses,
          decoder.andThen(f));
    }

    /** The same call that also reads the given error statuses as results (e.g. readyz's 503). */
    Call<T> accepting(Integer... statuses) {
      return new Call<>(
          operation,
          method,
          path,
          body,
          ifMatch,
          authenticated,
          idempotent,
          Set.of(statuses),
          decoder);
    }

    /**
     * Overwrites the request body (it may hold base64 plaintext) once the call is over. The
     * response bodies are overwritten as they are decoded ({@link #decode}).
     */
    void wipe() {
      if (body != null) {
        java.util.Arrays.fill(body, (byte) 0);
      }
    }

    Call<T> unauthenticated() {
      return new Call<>(
          operation,
          method,
          path,
          body,
          ifMatch,
          false,
          idempotent,
          acceptedErrorStatuses,
          decoder);
    }
  }

  /**
   * A call whose JSON answer is read as {@code type} ({@code Void} for none).
   *
   * @param body null for none, otherwise serialized as JSON
   * @param ifMatchRevision the key revision for {@code If-Match}, or null
   * @param idempotent whether the call may be sent again after a transient failure
   */
  static <T> Call<T> call(
      String operation,
      String method,
      String path,
      Object body,
      Long ifMatchRevision,
      boolean idempotent,
      Class<T> type) {
    byte[] bytes;
    try {
      bytes = body == null ? null : JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialize the " + operation + " request", e);
    }
    String ifMatch = ifMatchRevision == null ? null : "\"" + ifMatchRevision + "\"";
    return new Call<>(
        operation,
        method,
        path,
        bytes,
        ifMatch,
        true,
        idempotent,
        Set.of(),
        r -> decode(operation, r, type));
  }

  private static <T> T decode(String operation, HttpResponse<byte[]> r, Class<T> type) {
    if (type == Void.class) {
      return null;
    }
    try {
      T value = JSON.readValue(r.body(), type);
      if (value == null) {
        throw new IOException("empty body");
      }
      return value;
    } catch (IOException e) {
      // the body is not the expected JSON: say so without showing it
      throw new StrongroomException(
          StrongroomException.INVALID_RESPONSE,
          r.statusCode(),
          operation + " answered a body that is not the expected JSON",
          requestId(r.headers()),
          null);
    } finally {
      java.util.Arrays.fill(r.body(), (byte) 0); // may hold base64 plaintext
    }
  }

  // ---- synchronous ----

  <T> T execute(Call<T> call) {
    try {
      return executeAttempts(call);
    } finally {
      call.wipe();
    }
  }

  private <T> T executeAttempts(Call<T> call) {
    for (int attempt = 1; ; attempt++) {
      HttpRequest request = request(call);
      StrongroomException failure;
      Duration retryAfter = null;
      try {
        HttpResponse<byte[]> r = http.send(request, BodyHandlers.ofByteArray());
        if (isResult(call, r)) {
          return call.decoder.apply(r);
        }
        failure = error(r);
        retryAfter = retryAfter(r.headers());
      } catch (IOException e) {
        failure = connectionFailure(call, attempt, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StrongroomConnectionException(call.operation + " was interrupted", attempt, e);
      }
      if (!retryable(call, failure, attempt)) {
        throw failure;
      }
      Duration delay = retry.delayAfter(attempt, retryAfter);
      announce(call, attempt, delay, failure);
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure.addSuppressed(e);
        throw failure;
      }
    }
  }

  private void announce(Call<?> call, int attempt, Duration delay, StrongroomException failure) {
    try {
      listener.onRetry(call.operation, attempt, delay, failure);
    } catch (RuntimeException e) {
      // a listener must not throw; its failure does not change the call
    }
  }

  // ---- asynchronous ----

  <T> CompletableFuture<T> executeAsync(Call<T> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    var unused = result.whenComplete((v, e) -> call.wipe());
    attemptAsync(call, 1, result);
    return result;
  }

  private <T> void attemptAsync(Call<T> call, int attempt, CompletableFuture<T> result) {
    if (result.isDone()) {
      return; // cancelled by the caller
    }
    HttpRequest request;
    try {
      request = request(call);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    var unused =
        http.sendAsync(request, BodyHandlers.ofByteArray())
            .whenComplete(
                (r, t) -> {
                  try {
                    onAnswer(call, attempt, result, r, t);
                  } catch (Throwable e) { // never leave the caller's future hanging
                    result.completeExceptionally(e);
                  }
                });
  }

  private <T> void onAnswer(
      Call<T> call, int attempt, CompletableFuture<T> result, HttpResponse<byte[]> r, Throwable t) {
    StrongroomException failure;
    Duration retryAfter = null;
    if (t != null) {
      Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
      if (!(cause instanceof IOException io)) {
        result.completeExceptionally(cause);
        return;
      }
      failure = connectionFailure(call, attempt, io);
    } else if (isResult(call, r)) {
      result.complete(call.decoder.apply(r));
      return;
    } else {
      failure = error(r);
      retryAfter = retryAfter(r.headers());
    }
    if (!retryable(call, failure, attempt)) {
      result.completeExceptionally(failure);
      return;
    }
    Duration delay = retry.delayAfter(attempt, retryAfter);
    announce(call, attempt, delay, failure);
    Executor later =
        executor == null
            ? CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS)
            : CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, executor);
    try {
      later.execute(() -> attemptAsync(call, attempt + 1, result));
    } catch (RuntimeException e) { // e.g. the executor was shut down
      failure.addSuppressed(e);
      result.completeExceptionally(failure);
    }
  }

  // ---- shared ----

  /**
   * A transient failure is retried for a call safe to repeat; {@code RESOURCE_EXHAUSTED} for every
   * call, as the server answers it before handling a request, so a repeat cannot act twice.
   */
  private boolean retryable(Call<?> call, StrongroomException failure, int attempt) {
    return (call.idempotent || failure instanceof ResourceExhaustedException)
        && failure.isTransient()
        && attempt < retry.maxAttempts()
        && !closed.get();
  }

  private static boolean isResult(Call<?> call, HttpResponse<byte[]> r) {
    int s = r.statusCode();
    return (s >= 200 && s < 300) || call.acceptedErrorStatuses.contains(s);
  }

  private StrongroomConnectionException connectionFailure(
      Call<?> call, int attempt, IOException e) {
    String what =
        e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    return new StrongroomConnectionException(
        call.operation
            + ": no answer from "
            + base
            + (attempt > 1 ? " (attempt " + attempt + ")" : "")
            + ": "
            + what,
        attempt,
        e);
  }

  private HttpRequest request(Call<?> call) {
    if (closed.get()) {
      throw new IllegalStateException("the StrongroomClient is closed");
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + call.path))
            .timeout(requestTimeout)
            .header("Accept", "application/json")
            .header("User-Agent", USER_AGENT);
    if (call.body == null) {
      b.method(call.method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.method(call.method, HttpRequest.BodyPublishers.ofByteArray(call.body));
      b.header("Content-Type", "application/json");
    }
    if (call.ifMatch != null) {
      b.header("If-Match", call.ifMatch);
    }
    if (call.authenticated) {
      String token = tokens.get();
      if (token != null && !token.isEmpty()) {
        if (!isHeaderSafe(token)) {
          // never show the token itself
          throw new IllegalArgumentException("the token has characters not allowed in a header");
        }
        b.header("Authorization", "Bearer " + token);
      }
    }
    return b.build();
  }

  private static boolean isHeaderSafe(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /** The typed exception for an error answer, with or without a JSON error body. */
  static StrongroomException error(HttpResponse<byte[]> r) {
    int status = r.statusCode();
    String headerId = requestId(r.headers());
    String type = r.headers().firstValue("Content-Type").orElse("");
    if (type.toLowerCase(java.util.Locale.ROOT).contains("json") && r.body().length > 0) {
      try {
        ErrorResponse e = JSON.readValue(r.body(), ErrorResponse.class);
        if (e != null && e.error() != null && e.error().code() != null) {
          ErrorResponse.Detail d = e.error();
          return StrongroomException.of(
              d.code(), status, d.message(), d.requestId() != null ? d.requestId() : headerId);
        }
      } catch (IOException ignored) {
        // fall through: treat as a body without an error object
      }
    }
    String description =
        "HTTP "
            + status
            + " without a Strongroom error body ("
            + (type.isEmpty() ? "no content type" : type)
            + ", "
            + r.body().length
            + " bytes)";
    return StrongroomException.of(
        StrongroomException.codeOf(status), status, description, headerId);
  }

  private static String requestId(HttpHeaders h) {
    return h.firstValue(ApiPaths.REQUEST_ID_HEADER).orElse(null);
  }

  static Duration retryAfter(HttpHeaders h) {
    String v = h.firstValue("Retry-After").orElse(null);
    if (v == null) {
      return null;
    }
    v = v.strip();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(Instant.now(), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  // ---- paths ----

  /**
   * Fills an {@link ApiPaths} template's {@code {name}} parameters in order with percent-encoded
   * values, then appends the query parameters whose values are not null (name, value, ...).
   */
  static String path(String template, Object[] params, Object... query) {
    StringBuilder out = new StringBuilder();
    int p = 0;
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c == '{') {
        int close = template.indexOf('}', i);
        String name = template.substring(i + 1, close);
        if (p >= params.length || params[p] == null) {
          throw new NullPointerException(name + " is required");
        }
        out.append(encodeSegment(params[p++].toString()));
        i = close + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    List<String> q = new ArrayList<>();
    for (int k = 0; k + 1 < query.length; k += 2) {
      if (query[k + 1] != null) {
        q.add(encodeSegment(query[k].toString()) + "=" + encodeSegment(query[k + 1].toString()));
      }
    }
    if (!q.isEmpty()) {
      out.append('?').append(String.join("&", q));
    }
    return out.toString();
  }

  /** RFC 3986 percent-encoding of everything but unreserved characters; "." and ".." too. */
  static String encodeSegment(String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("an empty name is not allowed");
    }
    if (s.equals(".") || s.equals("..")) {
      return s.replace(".", "%2E");
    }
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        b.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return b.toString();
  }

  // ---- lifecycle ----

  boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      http.shutdown();
      try {
        if (!http.awaitTermination(Duration.ofSeconds(5))) {
          http.shutdownNow();
        }
      } catch (InterruptedException e) {
        http.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }
}
