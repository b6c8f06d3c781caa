package io.strongroom.server;

import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.custody.Custodians;
import io.strongroom.core.custody.KeyCustodian;
import io.strongroom.core.custody.LocalFileRootKey;
import io.strongroom.core.custody.RootKey;
import io.strongroom.core.custody.SoftwareKeyCustodian;
import io.strongroom.core.service.AuditService;
import io.strongroom.core.service.CryptoService;
import io.strongroom.core.service.IdentityService;
import io.strongroom.core.service.IdentityService.IssuedToken;
import io.strongroom.core.service.KeyRingCache;
import io.strongroom.core.service.KeyService;
import io.strongroom.core.store.SettingStore;
import io.strongroom.core.store.Stores;
import io.strongroom.server.config.ServerConfig;
import io.strongroom.server.http.HttpApi;
import io.strongroom.server.store.Database;
import io.strongroom.server.store.JdbcAuditLog;
import io.strongroom.server.store.JdbcStores;
import io.strongroom.server.tls.EmbeddedTls;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Security;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires and runs a Strongroom server: the one place where every component is constructed. Start
 * with {@link #start(ServerConfig)}; it returns once the HTTPS listener serves.
 */
public final class StrongroomServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StrongroomServer.class);

  /** Additional data of the wrapped audit key (setting {@code audit-key}); never modify. */
  static final byte[] AUDIT_KEY_AAD = "strongroom/audit-key/v1".getBytes(StandardCharsets.US_ASCII);

  static final Duration BOOTSTRAP_TOKEN_TTL = Duration.ofDays(30);

  private final Vertx vertx;
  private final Database db;
  private final JdbcAuditLog auditLog;
  private final KeyService keys;
  private final DueDestruction due;
  private final String host;
  private final int port;
  private final Optional<IssuedToken> bootstrapToken;
  private final Path dataDir;
  private final Custody custody;

  private StrongroomServer(
      Vertx vertx,
      Database db,
      JdbcAuditLog auditLog,
      KeyService keys,
      String host,
      int port,
      Optional<IssuedToken> bootstrapToken,
      Path dataDir,
      Custody custody,
      DueDestruction due) {
    this.vertx = vertx;
    this.due = due;
    this.db = db;
    this.auditLog = auditLog;
    this.keys = keys;
    this.host = host;
    this.port = port;
    this.bootstrapToken = bootstrapToken;
    this.dataDir = dataDir;
    this.custody = custody;
  }

  /**
   * Starts a server.
   *
   * @throws Exception when the configuration cannot be served (the message says why)
   */
  public static StrongroomServer start(ServerConfig cfg) throws Exception {
    // Millisecond ticks: stores keep epoch milliseconds, so responses match what is stored.
    return start(cfg, Clock.tick(Clock.systemUTC(), Duration.ofMillis(1)));
  }

  /**
   * Starts a server that tells the time by {@code clock} (tests move it to see pending windows
   * pass; it should tick in milliseconds, as the stores keep them).
   */
  public static StrongroomServer start(ServerConfig cfg, Clock clock) throws Exception {
    Files.createDirectories(cfg.dataDir());
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // The database opens on a thread of its own (its pool, and Flyway's check of the schema: about
    // a third of start-up) while this one opens the root key, the TLS identity and Vert.x.
    FutureTask<Database> opening =
        new FutureTask<>(
            () -> Database.open(cfg.jdbcUrl(), cfg.dbUser(), cfg.dbPassword(), cfg.dbPoolSize()));
    Thread.ofPlatform().name("strongroom-db-open").start(opening);
    Custody custody = null;
    Database db = null;
    Vertx vertx = null;
    try {
      custody = Custody.open(cfg, metrics);
      RootKey root = custody.root();
      if (root instanceof LocalFileRootKey) {
        LOG.warn("root key: {}", root.describe());
      } else {
        LOG.info("root key: {}", root.describe());
      }
      cheapInMemoryKeyStores();
      PemKeyCertOptions pem = pemOptions(cfg, root);
      HttpServerOptions options = httpOptions(cfg, pem);
      int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
      // epoll where Netty's native transport loads (bundled for Linux), else Java NIO
      vertx =
          Vertx.vertx(
              new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
      LOG.info(
          "transport: {}, {} event loops",
          vertx.isNativeTransportEnabled() ? "native (epoll)" : "Java NIO",
          loops);
      db = opened(opening);

      AuditChain chain = new AuditChain(auditKey(JdbcStores.settings(db), root));
      Stores stores = JdbcStores.create(db, chain);
      SoftwareKeyCustodian software = new SoftwareKeyCustodian(root, cfg.materialTtl(), 100_000);
      List<KeyCustodian> all = new ArrayList<>(custody.hardware());
      all.add(software);
      Custodians custodians = new Custodians(all);
      KeyRingCache cache = new KeyRingCache(stores.keys(), cfg.cacheTtl(), 100_000);
      KeyService keys = new KeyService(stores.keys(), cache, custodians, clock);
      CryptoService crypto = new CryptoService(cache, custodians);
      IdentityService identity =
          new IdentityService(
              stores.tenants(), stores.principals(), stores.tokens(), clock, cfg.cacheTtl());
      AuditService audit = new AuditService(stores.audit(), chain);

      Optional<IssuedToken> token = identity.bootstrap(cfg.issueAdminToken(), BOOTSTRAP_TOKEN_TTL);
      if (token.isPresent()) {
        EmbeddedTls.writePrivate(
            cfg.dataDir().resolve("admin.token"),
            (token.get().secret() + "\n").getBytes(StandardCharsets.US_ASCII));
      }

      CaffeineCacheMetrics.monitor(metrics, cache.byNameCache(), "keys-by-name");
      CaffeineCacheMetrics.monitor(metrics, cache.byIdCache(), "keys-by-id");
      CaffeineCacheMetrics.monitor(metrics, identity.tokenCache(), "tokens");
      CaffeineCacheMetrics.monitor(metrics, software.cache(), "software-material");
      ((JdbcAuditLog) stores.audit()).bindTo(metrics);

      WorkerExecutor worker = vertx.createSharedWorkerExecutor("kms-worker", cfg.workerThreads());
      WorkerExecutor batchPool = vertx.createSharedWorkerExecutor("kms-batch", cfg.batchThreads());
      Vertx v = vertx;
      HttpApi api =
          new HttpApi(
              vertx,
              worker,
              batchPool,
              identity,
              keys,
              crypto,
              audit,
              stores.audit(),
              metrics,
              () -> readiness(stores, custodians, root),
              clock,
              cfg.maxBodyBytes(),
              cfg.maxInFlight());

      // One server per event loop, deployed as verticle instances so each gets an event loop of
      // its own (servers created from this thread would all share one), all sharing one listening
      // socket. Vert.x shares servers that listen on the same positive port, or on the same
      // negative port for a random port that they share (port 0 would give each server a socket
      // of its own on a different port).
      int listenPort = cfg.port() == 0 ? -1 : cfg.port();
      AtomicInteger actualPort = new AtomicInteger();
      v.deployVerticle(
              () ->
                  new VerticleBase() {
                    @Override
                    public Future<?> start() {
                      return vertx
                          .createHttpServer(options)
                          .requestHandler(api)
                          .connectionHandler(api::connected)
                          .listen(listenPort, cfg.host())
                          .onSuccess(s -> actualPort.set(s.actualPort()));
                    }
                  },
              new DeploymentOptions().setInstances(loops))
          .await();
      int port = actualPort.get();
      DueDestruction due =
          new DueDestruction(
              vertx, keys, stores.audit(), clock, cfg.destroyCheckInterval(), metrics);
      return new StrongroomServer(
          vertx,
          db,
          (JdbcAuditLog) stores.audit(),
          keys,
          cfg.host(),
          port,
          token,
          cfg.dataDir(),
          custody,
          due);
    } catch (Exception | Error e) {
      try {
        if (vertx != null) {
          vertx.close().await();
        }
      } finally {
        try {
          closeWhenOpened(db, opening);
        } finally {
          if (custody != null) {
            custody.close();
          }
        }
      }
      throw e;
    }
  }

  /** The database {@code opening} opened, or what it threw. */
  private static Database opened(FutureTask<Database> opening) throws Exception {
    try {
      return opening.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /**
   * Closes the database of a start that failed: {@code db} if this thread had it, else whatever
   * {@code opening} opens, waited for, so that no pool (nor H2's lock on its files) outlives a
   * failed start.
   */
  private static void closeWhenOpened(Database db, FutureTask<Database> opening) {
    if (db == null) {
      try {
        db = opening.get();
      } catch (ExecutionException e) {
        return; // it failed to open: nothing to close
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    db.close();
  }

  /**
   * The deployment's root key as configured (the target of a root key migration). Its token, if
   * any, stays open until the process ends.
   */
  static RootKey rootKey(ServerConfig cfg)
      throws IOException, GeneralSecurityException, io.strongroom.hsm.Pkcs11Exception {
    return Custody.open(cfg, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).root();
  }

  private static HttpServerOptions httpOptions(ServerConfig cfg, PemKeyCertOptions pem) {
    HttpServerOptions o =
        new HttpServerOptions()
            .setSsl(true)
            .setUseAlpn(true)
            .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
            .setKeyCertOptions(pem)
            .setEnabledSecureTransportProtocols(cfg.tlsProtocols())
            .setSslHandshakeTimeout(10)
            .setIdleTimeout(120)
            .setCompressionSupported(false);
    ServerConfig.TLS13_SUITES.forEach(o::addEnabledCipherSuite);
    if (cfg.tlsProtocols().contains("TLSv1.2")) {
      ServerConfig.TLS12_SUITES.forEach(o::addEnabledCipherSuite);
    }
    return o;
  }

  /** The JDK property that sets how many PBKDF2 iterations protect a key in a PKCS#12 store. */
  static final String PKCS12_KEY_ITERATIONS = "keystore.pkcs12.keyPbeIterationCount";

  /**
   * Vert.x turns the PEM key and certificate into an in-memory PKCS#12 key store to build its key
   * manager, and PKCS#12 protects the key with PBKDF2 at 10,000 iterations, once to store it and
   * once to read it back: 0.6-0.8 s of every start on a 2-core machine (docs/PERFORMANCE.md, sixth
   * round), to guard a key in memory with a password kept beside it. Nothing in the server writes a
   * PKCS#12 store, so the count is lowered for this process, unless the operator set one.
   */
  private static void cheapInMemoryKeyStores() {
    if (System.getProperty(PKCS12_KEY_ITERATIONS) == null
        && Security.getProperty(PKCS12_KEY_ITERATIONS) == null) {
      System.setProperty(PKCS12_KEY_ITERATIONS, "1");
    }
  }

  private static PemKeyCertOptions pemOptions(ServerConfig cfg, RootKey root) throws Exception {
    if (cfg.tlsCert() != null) {
      return new PemKeyCertOptions()
          .setCertValue(Buffer.buffer(Files.readAllBytes(cfg.tlsCert())))
          .setKeyValue(Buffer.buffer(Files.readAllBytes(cfg.tlsKey())));
    }
    EmbeddedTls.Identity id = EmbeddedTls.loadOrCreate(cfg.dataDir().resolve("tls"), root);
    PemKeyCertOptions o =
        new PemKeyCertOptions()
            .setCertValue(Buffer.buffer(id.certChainPem()))
            .setKeyValue(Buffer.buffer(id.keyPem()));
    Arrays.fill(id.keyPem(), (byte) 0);
    return o;
  }

  /** The audit key: random, stored wrapped by the root key; the first node to start makes it. */
  private static byte[] auditKey(SettingStore settings, RootKey root)
      throws GeneralSecurityException {
    Optional<byte[]> stored = settings.get("audit-key");
    byte[] wrapped;
    if (stored.isPresent()) {
      wrapped = stored.get();
    } else {
      byte[] fresh = new byte[32];
      new SecureRandom().nextBytes(fresh);
      wrapped = settings.putIfAbsent("audit-key", root.wrap(fresh, AUDIT_KEY_AAD));
      Arrays.fill(fresh, (byte) 0);
    }
    return root.unwrap(wrapped, AUDIT_KEY_AAD);
  }

  private static Map<String, String> readiness(Stores stores, Custodians custodians, RootKey root) {
    Map<String, String> checks = new LinkedHashMap<>();
    checks.put("database", check(stores.healthCheck()));
    checks.put("rootKey", check(() -> rethrow(root::checkHealth)));
    custodians
        .all()
        .forEach(
            (level, c) ->
                checks.put("custodian." + level.name(), check(() -> rethrow(c::checkHealth))));
    return checks;
  }

  private interface HealthCheck {
    void run() throws GeneralSecurityException;
  }

  private static void rethrow(HealthCheck c) {
    try {
      c.run();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static String check(Runnable r) {
    try {
      r.run();
      return "UP";
    } catch (RuntimeException e) {
      return "DOWN";
    }
  }

  public int port() {
    return port;
  }

  /** True when Vert.x runs on Netty's native epoll transport rather than Java NIO. */
  public boolean nativeTransport() {
    return vertx.isNativeTransportEnabled();
  }

  public String endpoint() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    if ("0.0.0.0".equals(host) || "::".equals(host)) {
      h = "localhost";
    }
    return "https://" + h + ":" + port;
  }

  /** The bootstrap admin token issued by this start, if any. */
  public Optional<IssuedToken> bootstrapToken() {
    return bootstrapToken;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The key service, for the scheduler (destroy when due) and tests. */
  public KeyService keys() {
    return keys;
  }

  /** The database, for operators' tools and tests. */
  public Database database() {
    return db;
  }

  @Override
  public void close() {
    try {
      due.close();
      vertx.close().await();
      auditLog.close();
    } finally {
      try {
        db.close();
      } finally {
        custody.close();
      }
    }
  }
}
