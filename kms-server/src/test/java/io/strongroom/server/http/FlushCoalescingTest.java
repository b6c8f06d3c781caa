package io.strongroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Answers that leave one HTTP/2 connection together go out in fewer flushes through TLS, and none
 * is lost; the handler sits just above TLS on HTTP/2 and HTTP/1.1 connections alike. The server
 * answers like the API does: each answer from a task of its own on the event loop, outside any read
 * (there, after the audit record is durable).
 */
class FlushCoalescingTest {
  private static final int STREAMS = 16;

  private Vertx vertx;
  private final SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
    cert.delete();
  }

  @Test
  void theHandlerSitsJustAboveTls() {
    for (HttpVersion version : List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1)) {
      List<String> names = new CopyOnWriteArrayList<>(); // written on the event loop
      HttpServer server =
          server(
              FlushCoalescing::install,
              req -> {
                ChannelPipeline p = pipeline(req.connection());
                names.addAll(p.names());
                names.add(p.context(SslHandler.class).name());
                req.response().end();
              });
      HttpClient client = client(server, version);
      assertThat(send(client, "/", 1)).containsOnly(200);
      String tls = names.removeLast();
      assertThat(names.indexOf(FlushCoalescing.NAME)).as(version.name()).isPositive();
      assertThat(names.indexOf(FlushCoalescing.NAME)).isEqualTo(names.indexOf(tls) + 1);
      client.close().await();
      server.close().await();
    }
  }

  @Test
  void answersOfConcurrentStreamsShareFlushes() {
    assertThat(flushesThroughTls(FlushCoalescing::install)).isBetween(1, STREAMS / 4);
  }

  @Test
  void withoutItEveryAnswerIsFlushedAlone() {
    // the control: what Vert.x does on its own, and why the handler is there
    assertThat(flushesThroughTls(c -> {})).isGreaterThanOrEqualTo(STREAMS);
  }

  /**
   * Sends {@link #STREAMS} requests at once on one HTTP/2 connection; the server holds them until
   * the last has come, then answers each from a task of its own. Returns the flushes that left the
   * TLS handler for the socket while answering.
   */
  private int flushesThroughTls(Handler<HttpConnection> onConnection) {
    AtomicInteger flushes = new AtomicInteger();
    AtomicInteger counting = new AtomicInteger();
    List<HttpServerRequest> held = new ArrayList<>();
    HttpServer server =
        server(
            c -> {
              onConnection.handle(c);
              // closest to the socket: every flush the TLS handler passes on
              pipeline(c)
                  .addFirst(
                      new ChannelOutboundHandlerAdapter() {
                        @Override
                        public void flush(ChannelHandlerContext ctx) {
                          if (counting.get() > 0) {
                            flushes.incrementAndGet();
                          }
                          ctx.flush();
                        }
                      });
            },
            req -> {
              if (!req.path().equals("/held")) {
                req.response().end();
                return;
              }
              held.add(req);
              if (held.size() == STREAMS) {
                vertx.setTimer(
                    1,
                    t -> {
                      counting.set(1);
                      for (HttpServerRequest r : held) {
                        vertx.getOrCreateContext().runOnContext(v -> r.response().end("answer"));
                      }
                    });
              }
            });
    HttpClient client = client(server, HttpVersion.HTTP_2);
    assertThat(send(client, "/", 1)).as("the connection is open").containsOnly(200);
    List<Integer> statuses = send(client, "/held", STREAMS);
    assertThat(statuses).hasSize(STREAMS).containsOnly(200);
    return flushes.get();
  }

  private HttpServer server(
      Handler<HttpConnection> onConnection, Consumer<HttpServerRequest> onRequest) {
    return vertx
        .createHttpServer(
            new HttpServerOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setKeyCertOptions(cert.keyCertOptions()))
        .connectionHandler(onConnection)
        .requestHandler(onRequest::accept)
        .listen(0, "127.0.0.1")
        .await();
  }

  private HttpClient client(HttpServer server, HttpVersion version) {
    return vertx
        .httpClientBuilder()
        .with(
            new HttpClientOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setTrustOptions(cert.trustOptions())
                .setVerifyHost(false)
                .setProtocolVersion(version)
                .setHttp2MultiplexingLimit(STREAMS * 2)
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(server.actualPort()))
        .with(new PoolOptions().setHttp1MaxSize(1).setHttp2MaxSize(1))
        .build();
  }

  private static List<Integer> send(HttpClient client, String path, int n) {
    List<Future<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      answers.add(
          client
              .request(HttpMethod.GET, path)
              .compose(r -> r.send().compose(resp -> resp.body().map(b -> resp.statusCode()))));
    }
    return Future.all(answers).await().list();
  }

  private static ChannelPipeline pipeline(HttpConnection connection) {
    return ((ConnectionBase) connection).channel().pipeline();
  }
}
