package io.strongroom.server.http;

import io.vertx.core.http.HttpMethod;

/**
 * One API route.
 *
 * @param path OpenAPI template form, e.g. {@code /v1/tenants/{tenant}/keys/{key}}
 * @param operation stable name used in audit records and metrics
 * @param eventLoopFirst see {@link #onEventLoopFirst()}
 */
public record Route(
    HttpMethod method, String path, String operation, Handler handler, boolean eventLoopFirst) {

  /** A route whose handler runs on a worker thread. */
  public Route(HttpMethod method, String path, String operation, Handler handler) {
    this(method, path, operation, handler, false);
  }

  /**
   * The same route, tried first on the event loop with blocking forbidden ({@link
   * io.strongroom.core.Blocking}) and run on a worker only if it would block. For use cases that
   * only read before they compute, and whose computing is bounded and small.
   */
  public Route onEventLoopFirst() {
    return new Route(method, path, operation, handler, true);
  }
}
