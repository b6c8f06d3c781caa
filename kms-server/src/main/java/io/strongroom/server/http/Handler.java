package io.strongroom.server.http;

/**
 * Handles one API call: parse, call one use case, map the result. Runs on a worker thread, or for a
 * route marked {@link Route#onEventLoopFirst()} first on the event loop with blocking forbidden.
 */
@FunctionalInterface
public interface Handler {
  Reply handle(Call call);
}
