package io.strongroom.server;

import io.strongroom.hsm.Pkcs11Config;
import io.strongroom.hsm.Pkcs11Exception;
import io.strongroom.hsm.Pkcs11RootKey;
import io.strongroom.hsm.Pkcs11Token;
import io.strongroom.server.config.HsmConfig;
import io.strongroom.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code strongroom-server}: starts the server. Every option also reads an environment variable,
 * and {@code @FILE} arguments read options from a file (one per line), so production configuration
 * can live in a file without secrets on the command line.
 */
@Command(
    name = "strongroom-server",
    mixinStandardHelpOptions = true,
    version = "strongroom-server 0.1.0",
    description = "Strongroom key-management server.",
    showAtFileInUsageHelp = true)
public final class Main implements Callable<Integer> {
  @Option(
      names = "--data-dir",
      defaultValue = "${env:STRONGROOM_DATA_DIR:-data}",
      description =
          "Directory for the embedded database, root key file, TLS files and admin token (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--host",
      defaultValue = "${env:STRONGROOM_HOST:-127.0.0.1}",
      description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "${env:STRONGROOM_PORT:-8443}",
      description = "HTTPS port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--db-url",
      defaultValue = "${env:STRONGROOM_DB_URL}",
      description =
          "JDBC URL, e.g. jdbc:postgresql://db:5432/strongroom (default: embedded H2 in the data directory).")
  String dbUrl;

  @Option(
      names = "--db-user",
      defaultValue = "${env:STRONGROOM_DB_USER}",
      description = "Database user.")
  String dbUser;

  @Option(
      names = "--db-password-file",
      defaultValue = "${env:STRONGROOM_DB_PASSWORD_FILE}",
      description = "File holding the database password (or set STRONGROOM_DB_PASSWORD).")
  Path dbPasswordFile;

  @Option(
      names = "--db-pool-size",
      defaultValue = "${env:STRONGROOM_DB_POOL_SIZE:-10}",
      description = "Database connections (default: ${DEFAULT-VALUE}).")
  int dbPoolSize;

  @Option(
      names = "--tls-cert",
      defaultValue = "${env:STRONGROOM_TLS_CERT}",
      description = "PEM certificate chain (default: a generated embedded certificate).")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      defaultValue = "${env:STRONGROOM_TLS_KEY}",
      description = "PEM PKCS#8 private key of --tls-cert.")
  Path tlsKey;

  @Option(
      names = "--tls-protocols",
      split = ",",
      defaultValue = "${env:STRONGROOM_TLS_PROTOCOLS:-TLSv1.3}",
      description = "Enabled TLS protocols: TLSv1.3 (default) and optionally TLSv1.2.")
  String[] tlsProtocols;

  @Option(
      names = "--root-key",
      defaultValue = "${env:STRONGROOM_ROOT_KEY:-file}",
      description =
          "Root key custodian: 'file' (development only) or 'pkcs11' (a key in the --pkcs11-* token) (default: ${DEFAULT-VALUE}).")
  String rootKey;

  @Option(
      names = "--root-key-file",
      defaultValue = "${env:STRONGROOM_ROOT_KEY_FILE}",
      description = "Root key file for --root-key file (default: DATA_DIR/root.key).")
  Path rootKeyFile;

  @Option(
      names = "--cache-ttl",
      defaultValue = "${env:STRONGROOM_CACHE_TTL:-PT5S}",
      description =
          "How long keys and tokens are cached; bounds how stale another node's change can be here (default: ${DEFAULT-VALUE}).")
  Duration cacheTtl;

  @Option(
      names = "--destroy-check-interval",
      defaultValue = "${env:STRONGROOM_DESTROY_CHECK_INTERVAL:-PT1M}",
      description =
          "How often keys and versions whose pending window has passed are destroyed (default: ${DEFAULT-VALUE}).")
  Duration destroyCheckInterval;

  @Option(
      names = "--material-ttl",
      defaultValue = "${env:STRONGROOM_MATERIAL_TTL:-PT5M}",
      description =
          "How long unwrapped SOFTWARE key material stays in memory (default: ${DEFAULT-VALUE}).")
  Duration materialTtl;

  @Option(
      names = "--worker-threads",
      defaultValue = "${env:STRONGROOM_WORKER_THREADS:-64}",
      description = "Threads for blocking work (default: ${DEFAULT-VALUE}).")
  int workerThreads;

  @Option(
      names = "--batch-threads",
      defaultValue = "${env:STRONGROOM_BATCH_THREADS:-0}",
      description =
          "Threads that work through batch requests; 0 for twice the processors (default: ${DEFAULT-VALUE}).")
  int batchThreads;

  @Option(
      names = "--max-body-bytes",
      defaultValue = "${env:STRONGROOM_MAX_BODY_BYTES:-4194304}",
      description = "Largest request body (default: ${DEFAULT-VALUE}).")
  int maxBodyBytes;

  @Option(
      names = "--max-in-flight",
      defaultValue = "${env:STRONGROOM_MAX_IN_FLIGHT:-" + ServerConfig.DEFAULT_MAX_IN_FLIGHT + "}",
      description =
          "API requests handled at once; more are answered 429 RESOURCE_EXHAUSTED"
              + " (default: ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Option(
      names = "--issue-admin-token",
      description = "Issue a fresh bootstrap admin token into DATA_DIR/admin.token and exit.")
  boolean issueAdminToken;

  @Option(
      names = "--migrate-root-from-file",
      paramLabel = "OLD_ROOT_KEY_FILE",
      description =
          "Move every stored secret (SOFTWARE key material, audit key, embedded TLS key) from the root key in this file to the configured root key, print a report and exit: 0 when all are migrated, 1 otherwise. Stop every server of the deployment first; safe to run again.")
  Path migrateRootFromFile;

  @Option(
      names = "--pkcs11-library",
      defaultValue = "${env:STRONGROOM_PKCS11_LIBRARY}",
      description =
          "PKCS#11 library of the HSM (e.g. /usr/lib/softhsm/libsofthsm2.so); enables protection level HSM (docs/HSM.md).")
  Path pkcs11Library;

  @Option(
      names = "--pkcs11-token-label",
      defaultValue = "${env:STRONGROOM_PKCS11_TOKEN_LABEL}",
      description = "Label of the token to use (or --pkcs11-slot).")
  String pkcs11TokenLabel;

  @Option(
      names = "--pkcs11-slot",
      defaultValue = "${env:STRONGROOM_PKCS11_SLOT}",
      description = "Slot id of the token to use (or --pkcs11-token-label).")
  Long pkcs11Slot;

  @Option(
      names = "--pkcs11-pin-env",
      defaultValue = "${env:STRONGROOM_PKCS11_PIN_ENV}",
      description =
          "Environment variable that holds the token's user PIN (default STRONGROOM_PKCS11_PIN unless --pkcs11-pin-file is given).")
  String pkcs11PinEnv;

  @Option(
      names = "--pkcs11-pin-file",
      defaultValue = "${env:STRONGROOM_PKCS11_PIN_FILE}",
      description = "File whose first line is the token's user PIN.")
  Path pkcs11PinFile;

  @Option(
      names = "--pkcs11-sessions",
      defaultValue = "${env:STRONGROOM_PKCS11_SESSIONS:-4}",
      description = "Most PKCS#11 operations in flight at once (default: ${DEFAULT-VALUE}).")
  int pkcs11Sessions;

  @Option(
      names = "--pkcs11-session-wait",
      defaultValue = "${env:STRONGROOM_PKCS11_SESSION_WAIT:-PT5S}",
      description =
          "How long a call waits for a free PKCS#11 session before it is refused (default: ${DEFAULT-VALUE}).")
  Duration pkcs11SessionWait;

  @Option(
      names = "--pkcs11-root-label",
      defaultValue = "${env:STRONGROOM_PKCS11_ROOT_LABEL:-" + HsmConfig.DEFAULT_ROOT_LABEL + "}",
      description =
          "Label of the root key in the token for --root-key pkcs11 (default: ${DEFAULT-VALUE}).")
  String pkcs11RootLabel;

  @Option(
      names = "--pkcs11-init",
      description =
          "Prepare the token once and exit: create the health-probe key and, with --root-key pkcs11, the root key (--pkcs11-root-label), each only if missing; never replaces an object.")
  boolean pkcs11Init;

  @Override
  public Integer call() throws Exception {
    if (!"file".equals(rootKey) && !"pkcs11".equals(rootKey)) {
      System.err.println("error: --root-key must be 'file' or 'pkcs11', not '" + rootKey + "'");
      return 2;
    }
    HsmConfig hsm;
    try {
      hsm = hsmConfig();
    } catch (IllegalArgumentException | java.io.IOException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    if (pkcs11Init) {
      return initToken(hsm);
    }
    String password = System.getenv("STRONGROOM_DB_PASSWORD");
    if (dbPasswordFile != null) {
      password = Files.readString(dbPasswordFile).strip();
    }
    ServerConfig cfg;
    try {
      cfg =
          new ServerConfig(
              dataDir,
              host,
              port,
              blankToNull(dbUrl),
              blankToNull(dbUser),
              password,
              dbPoolSize,
              tlsCert,
              tlsKey,
              new LinkedHashSet<>(Arrays.asList(tlsProtocols)),
              rootKeyFile,
              cacheTtl,
              materialTtl,
              workerThreads,
              batchThreads == 0 ? ServerConfig.defaultBatchThreads() : batchThreads,
              maxBodyBytes,
              maxInFlight,
              issueAdminToken,
              destroyCheckInterval,
              hsm);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    if (migrateRootFromFile != null) {
      return RootMigration.runFromFile(cfg, migrateRootFromFile, System.out, System.err);
    }
    StrongroomServer server;
    try {
      server = StrongroomServer.start(cfg);
    } catch (Exception e) {
      System.err.println("error: the server could not start: " + e.getMessage());
      return 1;
    }
    if (issueAdminToken) {
      System.out.println("admin token written to " + cfg.dataDir().resolve("admin.token"));
      server.close();
      return 0;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
    boolean embedded = cfg.embeddedDatabase() && cfg.tlsCert() == null;
    if (embedded) {
      Path dir = cfg.dataDir().toAbsolutePath();
      System.out.println(
          hsm != null && hsm.rootInToken()
              ? "Strongroom embedded deployment (root key '"
                  + hsm.rootLabel()
                  + "' in PKCS#11 "
                  + hsm.token().tokenName()
                  + ")"
              : "Strongroom embedded deployment (DEVELOPMENT: root key in "
                  + cfg.effectiveRootKeyFile()
                  + ")");
      System.out.println("  endpoint     " + server.endpoint());
      System.out.println("  CA cert      " + dir.resolve("tls").resolve("ca.pem"));
      System.out.println("  admin token  " + dir.resolve("admin.token"));
      server
          .bootstrapToken()
          .ifPresent(
              t ->
                  System.out.println(
                      "  first start: admin token is "
                          + t.secret()
                          + " (id "
                          + t.record().id()
                          + ", expires "
                          + t.record().expiresAt()
                          + ")"));
    }
    System.out.println("READY " + server.endpoint());
    System.out.flush();
    new CountDownLatch(1).await();
    return 0;
  }

  /** The PKCS#11 settings, or null when no library is configured. */
  private HsmConfig hsmConfig() throws java.io.IOException {
    if (pkcs11Library == null) {
      if ("pkcs11".equals(rootKey) || pkcs11Init) {
        throw new IllegalArgumentException(
            "--root-key pkcs11 and --pkcs11-init need --pkcs11-library");
      }
      return null;
    }
    String pinEnv =
        blankToNull(pkcs11PinEnv) == null && pkcs11PinFile == null
            ? "STRONGROOM_PKCS11_PIN"
            : blankToNull(pkcs11PinEnv);
    Pkcs11Config token =
        new Pkcs11Config(
            pkcs11Library,
            blankToNull(pkcs11TokenLabel),
            pkcs11Slot,
            Pkcs11Config.readPin(pinEnv, pkcs11PinFile),
            pkcs11Sessions,
            pkcs11SessionWait,
            Pkcs11Config.DEFAULT_PROBE_LABEL);
    return new HsmConfig(token, "pkcs11".equals(rootKey), pkcs11RootLabel);
  }

  /** {@code --pkcs11-init}: creates what the token lacks; 0 when it is ready afterwards. */
  private static int initToken(HsmConfig hsm) {
    try (Pkcs11Token token =
        Pkcs11Token.open(
            hsm.token(), new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
      System.out.println("token: " + token.describe());
      System.out.println(
          (token.ensureProbeKey() ? "created" : "found  ")
              + " health-probe key '"
              + hsm.token().probeLabel()
              + "'");
      if (hsm.rootInToken()) {
        boolean exists = token.exists(hsm.rootLabel());
        if (!exists) {
          Pkcs11RootKey.create(token, hsm.rootLabel());
        }
        System.out.println(
            (exists ? "found  " : "created") + " root key '" + hsm.rootLabel() + "'");
      }
      return 0;
    } catch (io.strongroom.core.KmsException
        | Pkcs11Exception
        | java.security.GeneralSecurityException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }
}
