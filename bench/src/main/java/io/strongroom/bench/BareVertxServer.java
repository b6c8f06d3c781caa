package io.strongroom.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.List;
import java.util.Set;

/**
 * The floor the server's request cost is compared with: a bare Vert.x HTTPS server with the
 * server's transport settings (one server per event loop, one loop per core, TLS 1.3 with the same
 * two suites, HTTP/2 by ALPN, the epoll transport where it loads) that answers every POST with a
 * small JSON body, doing no work. Used by {@code bench/h2load.sh --bare}.
 *
 * <p>Arguments: port, PEM certificate file, PEM private key file. Prints {@code READY} once
 * listening.
 */
public final class BareVertxServer {
  private BareVertxServer() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int loops = Runtime.getRuntime().availableProcessors();
    Vertx vertx =
        Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
    HttpServerOptions options =
        new HttpServerOptions()
            .setSsl(true)
            .setUseAlpn(true)
            .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(args[1]).setKeyPath(args[2]))
            .setEnabledSecureTransportProtocols(Set.of("TLSv1.3"))
            .addEnabledCipherSuite("TLS_AES_256_GCM_SHA384")
            .addEnabledCipherSuite("TLS_CHACHA20_POLY1305_SHA256");
    vertx
        .deployVerticle(
            () ->
                new VerticleBase() {
                  @Override
                  public Future<?> start() {
                    return vertx
                        .createHttpServer(options)
                        .requestHandler(
                            req ->
                                req.body()
                                    .onSuccess(
                                        body ->
                                            req.response()
                                                .putHeader("content-type", "application/json")
                                                .end(
                                                    "{\"ok\":true,\"bytes\":"
                                                        + body.length()
                                                        + "}")))
                        .listen(port, "127.0.0.1");
                  }
                },
            new DeploymentOptions().setInstances(loops))
        .await();
    System.out.println(
        "READY " + (vertx.isNativeTransportEnabled() ? "epoll" : "nio") + " " + loops + " loops");
  }
}
