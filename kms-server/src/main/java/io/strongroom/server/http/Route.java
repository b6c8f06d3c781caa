package io.strongroom.server.http;

import io.vertx.core.http.HttpMethod;

/**
 * One API route.
 *
 * @param path OpenAPI template form, e.g. {@code /v1/tenants/{tenant}/keys/{key}}
 * @param operation stable name used in audit records and metrics
 * @param runs where its handler runs
 */
public record Route(HttpMethod method, String path, String operation, Handler handler, Runs runs) {

  /** Where a route's handler runs. */
  public enum Runs {
    /** On a worker thread. */
    WORKER,
    /** See {@link #onEventLoopFirst()}. */
    EVENT_LOOP_FIRST,
    /** See {@link #onBatchPool()}. */
    BATCH_POOL
  }

  /** A route whose handler runs on a worker thread. */
  public Route(HttpMethod method, String path, String operation, Handler handler) {
    this(method, path, operation, handler, Runs.WORKER);
  }

  /**
   * The same route, tried first on the event loop with blocking forbidden ({@link
   * io.strongroom.core.Blocking}) and run on a worker only if it would block. For use cases that
   * only read before they compute, and whose computing is bounded and small.
   */
  public Route onEventLoopFirst() {
    return new Route(method, path, operation, handler, Runs.EVENT_LOOP_FIRST);
  }

  /**
   * The same route, run on the batch pool ({@code --batch-threads}, by default twice as many
   * threads as processors) instead of the worker pool: for handlers that compute a lot, so that a
   * burst of them is worked through a few at a time, each alive in memory only while it is worked
   * on.
   */
  public Route onBatchPool() {
    return new Route(method, path, operation, handler, Runs.BATCH_POOL);
  }
}
