package io.strongroom.server;

import static io.strongroom.server.testing.TestServer.obj;
import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.store.KeyStore.StoredVersion;
import io.strongroom.server.config.ServerConfig;
import io.strongroom.server.store.Database;
import io.strongroom.server.store.JdbcKeyStore;
import io.strongroom.server.testing.CommandRun;
import io.strongroom.server.testing.TestServer;
import io.strongroom.server.testing.TestServer.Response;
import io.strongroom.server.tls.EmbeddedTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strongroom-server --migrate-root-from-file OLD_ROOT_KEY_FILE}: the real main in a child
 * JVM for a migration and its re-run (exit codes and printed report), and in-process for the ways
 * it refuses or fails.
 */
class RootMigrationCommandTest {
  private static final Map<String, String> CONTEXT = Map.of("purpose", "migration");
  private static final String PLAINTEXT = "aGVsbG8sIG5ldyByb290";

  @TempDir Path dir;

  private Path data;
  private Path oldRoot;
  private Path newRoot;
  private String app;
  private String blob;

  /** What one run printed and returned. */
  private record Run(int exitCode, String out, String err) {}

  /** An embedded deployment on its default root key file DATA_DIR/root.key, with one blob. */
  @BeforeEach
  void deployment() throws Exception {
    data = dir.resolve("data");
    oldRoot = data.resolve("root.key");
    newRoot = dir.resolve("new-root.key");
    try (TestServer s = TestServer.startIn(data, c -> c)) {
      s.createTenant("acme");
      app = s.createPrincipal("acme", "app", "key-admin", "key-user");
      s.createKey("acme", app, "orders");
      Response r =
          s.post(
              "/v1/tenants/acme/keys/orders/encrypt",
              app,
              obj("plaintext", PLAINTEXT, "context", CONTEXT));
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      blob = r.json().path("ciphertext").asText();
    }
  }

  @Test
  void migratesPrintsTheReportAndExitsZeroThenNoOpOnARerun() throws Exception {
    String[] args = {
      "--data-dir", data.toString(),
      "--root-key-file", newRoot.toString(),
      "--migrate-root-from-file", oldRoot.toString()
    };

    Run first = runInChildJvm(args);

    assertThat(first.exitCode()).as("%s", first).isZero();
    assertThat(first.out())
        .contains("Root key migration")
        .contains("from  local root key file " + oldRoot)
        .contains("to    local root key file " + newRoot)
        .contains("SOFTWARE key versions:    1 migrated, 0 already migrated, 0 failed")
        .contains("audit key:                1 migrated, 0 already migrated, 0 failed")
        .contains("embedded TLS server key:  1 migrated, 0 already migrated, 0 failed")
        .contains("COMPLETE")
        .doesNotContain("READY");
    assertThat(Files.exists(newRoot)).isTrue();

    Run again = runInChildJvm(args);

    assertThat(again.exitCode()).as("%s", again).isZero();
    assertThat(again.out())
        .contains("SOFTWARE key versions:    0 migrated, 1 already migrated, 0 failed")
        .contains("audit key:                0 migrated, 1 already migrated, 0 failed")
        .contains("embedded TLS server key:  0 migrated, 1 already migrated, 0 failed")
        .contains("COMPLETE");

    // the old root file can go: the new root alone serves the old blob
    Files.delete(oldRoot);
    try (TestServer s = TestServer.startIn(data, c -> TestServer.withRootKeyFile(c, newRoot))) {
      Response r =
          s.post("/v1/tenants/acme/decrypt", app, obj("ciphertext", blob, "context", CONTEXT));
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      assertThat(r.json().path("plaintext").asText()).isEqualTo(PLAINTEXT);
    }
  }

  @Test
  void aFailedItemIsPrintedByReferenceAndExitsOne() {
    StoredVersion v = onlyVersion();
    byte[] corrupted = v.version().material();
    corrupted[5] ^= 1;
    try (Database db = openDatabase()) {
      assertThat(new JdbcKeyStore(db).replaceMaterial(v.ref(), v.version().material(), corrupted))
          .isTrue();
    }

    Run run =
        run(
            "--data-dir", data.toString(),
            "--root-key-file", newRoot.toString(),
            "--migrate-root-from-file", oldRoot.toString());

    assertThat(run.exitCode()).as("%s", run).isEqualTo(1);
    assertThat(run.out())
        .contains("SOFTWARE key versions:    0 migrated, 0 already migrated, 1 failed")
        .contains("audit key:                1 migrated, 0 already migrated, 0 failed")
        .contains(
            "FAILED SOFTWARE key versions: tenant acme, key 'orders' (id "
                + v.ref().keyId()
                + "), version 1: unwraps under neither the old nor the new root key")
        .contains("INCOMPLETE")
        .doesNotContain(HexFormat.of().formatHex(corrupted).substring(0, 16));
  }

  @Test
  void refusesTheConfiguredRootKeyAsTheOldOne() throws Exception {
    byte[] before = Files.readAllBytes(EmbeddedTls.wrappedKeyFile(data.resolve("tls")));

    Run run = run("--data-dir", data.toString(), "--migrate-root-from-file", oldRoot.toString());

    assertThat(run.exitCode()).as("%s", run).isEqualTo(2);
    assertThat(run.err()).contains("holds the configured root key itself");
    assertThat(run.out()).isEmpty();
    assertThat(Files.readAllBytes(EmbeddedTls.wrappedKeyFile(data.resolve("tls"))))
        .isEqualTo(before);
  }

  @Test
  void refusesAMissingOldRootFileWithoutCreatingIt() {
    Path missing = dir.resolve("no-such.key");

    Run run =
        run(
            "--data-dir", data.toString(),
            "--root-key-file", newRoot.toString(),
            "--migrate-root-from-file", missing.toString());

    assertThat(run.exitCode()).as("%s", run).isEqualTo(1);
    assertThat(run.err()).contains("does not exist");
    assertThat(Files.exists(missing)).isFalse();
    assertThat(Files.exists(newRoot)).isFalse();
  }

  @Test
  void refusesADataDirectoryWithoutADeployment() throws Exception {
    Path nowhere = dir.resolve("nowhere");
    Run missing =
        run(
            "--data-dir", nowhere.toString(),
            "--root-key-file", newRoot.toString(),
            "--migrate-root-from-file", oldRoot.toString());
    assertThat(missing.exitCode()).as("%s", missing).isEqualTo(1);
    assertThat(missing.err()).contains("does not exist");
    assertThat(Files.exists(nowhere)).isFalse();

    Path empty = Files.createDirectory(dir.resolve("empty"));
    Run none =
        run(
            "--data-dir", empty.toString(),
            "--root-key-file", newRoot.toString(),
            "--migrate-root-from-file", oldRoot.toString());
    assertThat(none.exitCode()).as("%s", none).isEqualTo(1);
    assertThat(none.out()).contains("holds no Strongroom deployment").contains("INCOMPLETE");
  }

  @Test
  void refusesToIssueATokenAtTheSameTime() {
    Run run =
        run(
            "--data-dir",
            data.toString(),
            "--root-key-file",
            newRoot.toString(),
            "--issue-admin-token",
            "--migrate-root-from-file",
            oldRoot.toString());
    assertThat(run.exitCode()).as("%s", run).isEqualTo(2);
    assertThat(run.err()).contains("--issue-admin-token");
  }

  // ---------------------------------------------------------------- helpers

  private StoredVersion onlyVersion() {
    try (Database db = openDatabase()) {
      List<StoredVersion> all =
          new JdbcKeyStore(db).scanVersions(ProtectionLevel.SOFTWARE, null, 10);
      assertThat(all).hasSize(1);
      return all.get(0);
    }
  }

  private Database openDatabase() {
    ServerConfig c = ServerConfig.defaults(data, 0);
    return Database.open(c.jdbcUrl(), c.dbUser(), c.dbPassword(), 2);
  }

  private static Run run(String... args) {
    CommandRun r = CommandRun.inProcess(args);
    return new Run(r.exitCode(), r.out(), r.err());
  }

  /** Runs {@code io.strongroom.server.Main} in a child JVM and waits for it to exit. */
  private Run runInChildJvm(String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            java,
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            "io.strongroom.server.Main"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "child", ".out");
    Path err = Files.createTempFile(dir, "child", ".err");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError(
          "the migration did not finish within 120 s: " + Files.readString(err));
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
