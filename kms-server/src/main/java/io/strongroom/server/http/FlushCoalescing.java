package io.strongroom.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Lets the answers that leave a connection together share one TLS record and one write.
 *
 * <p>An answer is sent once its audit record is durable, from a task on the event loop, outside any
 * read; Vert.x then flushes each answer at once, and every flush costs a TLS record (its encryption
 * and framing) and a system call. The audit log completes a whole group of calls together, so the
 * answers of one connection's concurrent streams come in one burst. Netty's {@link
 * FlushConsolidationHandler}, placed just above the TLS handler, turns a flush outside a read into
 * a task queued behind the tasks already waiting on the event loop, so the burst leaves in one
 * flush; inside a read it flushes when the read completes. Nothing waits on a timer: the deferred
 * flush runs as soon as the event loop has run what was queued before it, and a close or an
 * unwritable channel flushes at once.
 *
 * <p>The pipeline is reached through Vert.x's connection class ({@code ConnectionBase}, an
 * implementation class: Vert.x has no public hook for it). A connection of another class is left as
 * it is, so a Vert.x upgrade that changes it costs throughput, never correctness.
 */
final class FlushCoalescing {
  static final String NAME = "strongroom-flush-coalescing";

  private FlushCoalescing() {}

  /** Installs the coalescing on a new connection (a {@code connectionHandler}). */
  static void install(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      return;
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    ChannelHandlerContext tls = pipeline.context(SslHandler.class);
    if (tls != null && pipeline.get(NAME) == null) {
      pipeline.addAfter(
          tls.name(),
          NAME,
          new FlushConsolidationHandler(
              FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
    }
  }
}
