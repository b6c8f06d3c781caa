package io.strongroom.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The server's configuration, validated once at start-up. Every field has a documented default (see
 * README "Configuration"); {@code null} {@code dbUrl} means the embedded H2 database in the data
 * directory, {@code null} TLS files mean a generated embedded certificate.
 *
 * @param dataDir where the embedded database, root key file, TLS files and admin token live
 * @param host address to bind
 * @param port 0 picks a free port
 * @param dbUrl JDBC URL ({@code jdbc:postgresql://…} in production), or null for embedded H2
 * @param tlsCert PEM certificate chain file, or null for the generated embedded certificate
 * @param tlsKey PEM PKCS#8 private key file for {@code tlsCert}
 * @param tlsProtocols enabled protocols; TLSv1.3 by default, TLSv1.2 only when configured
 * @param rootKeyFile the development root key file; null means {@code dataDir/root.key}
 * @param cacheTtl lifetime of cached keys and tokens (staleness bound across nodes)
 * @param materialTtl lifetime of unwrapped SOFTWARE key material in memory
 * @param workerThreads size of the pool that runs blocking work (JDBC, custodians)
 * @param batchThreads size of the pool that works through batch requests (see {@link
 *     #defaultBatchThreads})
 * @param maxBodyBytes largest request body accepted
 * @param maxInFlight API requests handled at once, past which more are answered 429
 *     RESOURCE_EXHAUSTED at once rather than queued
 * @param issueAdminToken issue a fresh bootstrap admin token even if the admin exists
 * @param destroyCheckInterval how often keys and versions whose pending window has passed are
 *     destroyed (their material deleted, token objects included)
 * @param hsm the PKCS#11 token (HSM protection level, optionally the root key), or null
 */
public record ServerConfig(
    Path dataDir,
    String host,
    int port,
    String dbUrl,
    String dbUser,
    String dbPassword,
    int dbPoolSize,
    Path tlsCert,
    Path tlsKey,
    Set<String> tlsProtocols,
    Path rootKeyFile,
    Duration cacheTtl,
    Duration materialTtl,
    int workerThreads,
    int batchThreads,
    int maxBodyBytes,
    int maxInFlight,
    boolean issueAdminToken,
    Duration destroyCheckInterval,
    HsmConfig hsm) {

  /**
   * The default bound on API requests in flight: past the concurrency at which queueing turns into
   * collapse, not below what clients ordinarily keep in flight. Offered 20,000/s with 4,096 in
   * flight, a server of 256 MB heap spent its time in GC and answered 8,784/s; with this bound it
   * answered 21,400/s, 10,800/s served and the rest refused at once. A bound of 256 served a little
   * more under that overload (12,200/s, p99 154 ms against 424), but refused a quarter of an
   * ordinary closed load of 64 clients with 8 requests each, which this server serves whole at
   * about 25 ms (docs/PERFORMANCE.md, sixth and seventh rounds).
   */
  public static final int DEFAULT_MAX_IN_FLIGHT = 1024;

  private static final Set<String> ALLOWED_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

  /** TLS 1.3 suites: AES-256-GCM and ChaCha20-Poly1305 only (DESIGN.md section 1). */
  public static final List<String> TLS13_SUITES =
      List.of("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

  /** TLS 1.2 suites when TLS 1.2 is enabled: forward-secret AEAD suites only. */
  public static final List<String> TLS12_SUITES =
      List.of(
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  public ServerConfig {
    if (dataDir == null) {
      throw new IllegalArgumentException("--data-dir is required");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0..65535");
    }
    if (dbPoolSize < 1 || dbPoolSize > 500) {
      throw new IllegalArgumentException("--db-pool-size must be 1..500");
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together");
    }
    if (tlsProtocols.isEmpty() || !ALLOWED_PROTOCOLS.containsAll(tlsProtocols)) {
      throw new IllegalArgumentException("--tls-protocols allows TLSv1.3 and TLSv1.2");
    }
    tlsProtocols = Set.copyOf(tlsProtocols);
    if (cacheTtl.isNegative() || cacheTtl.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException("--cache-ttl must be between PT0S and PT5M");
    }
    if (materialTtl.isNegative() || materialTtl.compareTo(Duration.ofHours(24)) > 0) {
      throw new IllegalArgumentException("--material-ttl must be between PT0S and PT24H");
    }
    if (workerThreads < 1 || workerThreads > 1024) {
      throw new IllegalArgumentException("--worker-threads must be 1..1024");
    }
    if (batchThreads < 1 || batchThreads > 1024) {
      throw new IllegalArgumentException("--batch-threads must be 1..1024");
    }
    if (maxBodyBytes < 1024 || maxBodyBytes > 64 * 1024 * 1024) {
      throw new IllegalArgumentException("--max-body-bytes must be 1 KiB..64 MiB");
    }
    if (maxInFlight < 1 || maxInFlight > 1_000_000) {
      throw new IllegalArgumentException("--max-in-flight must be 1..1000000");
    }
    if (destroyCheckInterval.compareTo(Duration.ofMillis(100)) < 0
        || destroyCheckInterval.compareTo(Duration.ofHours(24)) > 0) {
      throw new IllegalArgumentException(
          "--destroy-check-interval must be between PT0.1S and PT24H");
    }
  }

  /** This configuration with {@code hsm} as its PKCS#11 token. */
  public ServerConfig withHsm(HsmConfig hsm) {
    Builder b = toBuilder();
    b.hsm = hsm;
    return b.build();
  }

  /** A copy of this configuration to change field by field; {@link Builder#build} validates it. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The fields of a {@link ServerConfig}, changeable; see the record's components. */
  public static final class Builder {
    public Path dataDir;
    public String host;
    public int port;
    public String dbUrl;
    public String dbUser;
    public String dbPassword;
    public int dbPoolSize;
    public Path tlsCert;
    public Path tlsKey;
    public Set<String> tlsProtocols;
    public Path rootKeyFile;
    public Duration cacheTtl;
    public Duration materialTtl;
    public int workerThreads;
    public int batchThreads;
    public int maxBodyBytes;
    public int maxInFlight;
    public boolean issueAdminToken;
    public Duration destroyCheckInterval;
    public HsmConfig hsm;

    private Builder(ServerConfig c) {
      dataDir = c.dataDir;
      host = c.host;
      port = c.port;
      dbUrl = c.dbUrl;
      dbUser = c.dbUser;
      dbPassword = c.dbPassword;
      dbPoolSize = c.dbPoolSize;
      tlsCert = c.tlsCert;
      tlsKey = c.tlsKey;
      tlsProtocols = c.tlsProtocols;
      rootKeyFile = c.rootKeyFile;
      cacheTtl = c.cacheTtl;
      materialTtl = c.materialTtl;
      workerThreads = c.workerThreads;
      batchThreads = c.batchThreads;
      maxBodyBytes = c.maxBodyBytes;
      maxInFlight = c.maxInFlight;
      issueAdminToken = c.issueAdminToken;
      destroyCheckInterval = c.destroyCheckInterval;
      hsm = c.hsm;
    }

    public ServerConfig build() {
      return new ServerConfig(
          dataDir,
          host,
          port,
          dbUrl,
          dbUser,
          dbPassword,
          dbPoolSize,
          tlsCert,
          tlsKey,
          tlsProtocols,
          rootKeyFile,
          cacheTtl,
          materialTtl,
          workerThreads,
          batchThreads,
          maxBodyBytes,
          maxInFlight,
          issueAdminToken,
          destroyCheckInterval,
          hsm);
    }
  }

  /**
   * Twice the processors: a batch is up to 1000 items of computing, so more batches worked on at
   * once than the processors can run only keep more of them alive in memory. With 64 at once on 2
   * cores the garbage collector took a third of the server's CPU and ran full collections; with 4,
   * 13 % more keys per second (docs/PERFORMANCE.md, seventh round). A token whose calls wait on a
   * network may want more.
   */
  public static int defaultBatchThreads() {
    return 2 * Runtime.getRuntime().availableProcessors();
  }

  /** True for the embedded default: H2 in the data directory. */
  public boolean embeddedDatabase() {
    return dbUrl == null;
  }

  /**
   * H2's page cache for the embedded default, in KiB. H2's own default is a sixteenth of the heap
   * (16 MB of the server's 256 MB): pages kept that long are copied by every young collection and
   * then sit in the old generation, their references to new pages scanned at each pause. The server
   * reads keys and tokens through caches of its own, and the audit log mostly appends, so 2 MB is
   * enough: G1's pauses fell from 11 to 7 ms on average under 20,000 requests/s and its CPU per
   * request by 45 % (docs/PERFORMANCE.md, ninth round). A {@code --db-url} is used as given.
   */
  static final int EMBEDDED_CACHE_KIB = 2048;

  /**
   * How often H2 writes committed changes to its file, in milliseconds, for the embedded default.
   * H2's own default is a second; what a crash can lose is what was committed since the last write
   * (docs/SECURITY.md §9), so a tenth of that loses a tenth as much. Alternating runs at 5,000 and
   * 20,000 requests/s showed no cost (docs/PERFORMANCE.md, ninth round).
   */
  static final int EMBEDDED_WRITE_DELAY_MS = 100;

  public String jdbcUrl() {
    return dbUrl != null
        ? dbUrl
        : "jdbc:h2:file:"
            + dataDir.toAbsolutePath().resolve("db").resolve("strongroom")
            + ";CACHE_SIZE="
            + EMBEDDED_CACHE_KIB
            + ";WRITE_DELAY="
            + EMBEDDED_WRITE_DELAY_MS;
  }

  public Path effectiveRootKeyFile() {
    return rootKeyFile != null ? rootKeyFile : dataDir.resolve("root.key");
  }

  /** A configuration with defaults for everything but the data directory and port. */
  public static ServerConfig defaults(Path dataDir, int port) {
    return new ServerConfig(
        dataDir,
        "127.0.0.1",
        port,
        null,
        null,
        null,
        10,
        null,
        null,
        Set.of("TLSv1.3"),
        null,
        Duration.ofSeconds(5),
        Duration.ofMinutes(5),
        64,
        defaultBatchThreads(),
        4 * 1024 * 1024,
        DEFAULT_MAX_IN_FLIGHT,
        false,
        Duration.ofMinutes(1),
        null);
  }
}
