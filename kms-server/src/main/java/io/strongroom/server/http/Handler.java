package io.strongroom.server.http;

/** Handles one API call on a worker thread: parse, call one use case, map the result. */
@FunctionalInterface
public interface Handler {
  Reply handle(Call call);
}
