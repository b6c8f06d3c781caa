package io.strongroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the CLI finds and reaches the server: flags, environment and config file against a real
 * server, and the exits when it cannot (stopped server, untrusted certificate, no token).
 */
class ConnectionTest {
  static TestServer server;
  static String addr;
  static Path ca;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
    addr = server.server().endpoint();
    ca = server.dataDir().resolve("tls").resolve("ca.pem");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  Path write(String name, String content) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  @Test
  void configFileOnly() throws Exception {
    Cli cli = new Cli(dir);
    Path token = write("admin.token", server.adminToken() + "\n");
    Path conf = cli.env.home.resolve(".config/strongroom/config.properties");
    Files.createDirectories(conf.getParent());
    Files.writeString(conf, "addr=" + addr + "\ncacert=" + ca + "\ntoken-file=" + token + "\n");
    Cli.Result r = cli.ok("tenant", "list");
    assertThat(r.out()).startsWith("NAME");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void flagBeatsEnvironmentBeatsFile() throws Exception {
    Cli cli = new Cli(dir);
    Path conf = write("conf.properties", "addr=https://127.0.0.1:1\ntoken=srt_wrong\n");
    cli.env.vars.put("STRONGROOM_CACERT", ca.toString());
    // the file alone points nowhere: connection failure
    Cli.Result fileOnly = cli.run("--config", conf.toString(), "tenant", "list");
    assertThat(fileOnly.exit()).as("%s", fileOnly).isEqualTo(ExitCodes.SERVER);
    // the environment's address wins over the file's; the file's token is wrong
    cli.env.vars.put("STRONGROOM_ADDR", addr);
    Cli.Result envAddr = cli.run("--config", conf.toString(), "tenant", "list");
    assertThat(envAddr.exit()).as("%s", envAddr).isEqualTo(ExitCodes.AUTH);
    // the environment's token wins over the file's
    cli.env.vars.put("STRONGROOM_TOKEN", server.adminToken());
    cli.ok("--config", conf.toString(), "tenant", "list");
    // a flag wins over the environment
    Cli.Result flagToken =
        cli.run("--config", conf.toString(), "tenant", "list", "--token", "srt_bad");
    assertThat(flagToken.exit()).as("%s", flagToken).isEqualTo(ExitCodes.AUTH);
    Path tokenFile = write("t", server.adminToken());
    cli.env.vars.put("STRONGROOM_TOKEN", "srt_bad");
    cli.ok("--token-file", tokenFile.toString(), "tenant", "list");
    Cli.Result flagAddr = cli.run("--addr", "https://127.0.0.1:1", "tenant", "list");
    assertThat(flagAddr.exit()).as("%s", flagAddr).isEqualTo(ExitCodes.SERVER);
  }

  @Test
  void noToken() {
    Cli cli = new Cli(dir);
    cli.env.vars.put("STRONGROOM_ADDR", addr);
    cli.env.vars.put("STRONGROOM_CACERT", ca.toString());
    Cli.Result r = cli.run("tenant", "list");
    assertThat(r.exit()).as("%s", r).isEqualTo(ExitCodes.AUTH);
    assertThat(r.err()).startsWith("error: UNAUTHENTICATED: no token");
  }

  @Test
  void tokenAndTokenFileTogether() throws Exception {
    Cli cli = Cli.against(server, dir);
    Path t = write("t", server.adminToken());
    Cli.Result r = cli.run("tenant", "list", "--token", "x", "--token-file", t.toString());
    assertThat(r.exit()).as("%s", r).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--token and --token-file");
  }

  @Test
  void untrustedCertificateIsAConnectionFailure() {
    Cli cli = Cli.against(server, dir);
    cli.env.vars.remove("STRONGROOM_CACERT"); // the JDK's trust store does not know the server
    Cli.Result r = cli.run("tenant", "list");
    assertThat(r.exit()).as("%s", r).isEqualTo(ExitCodes.SERVER);
    assertThat(r.err()).startsWith("error: CONNECTION_FAILED: ").contains("--cacert");
    assertThat(r.err().lines().count()).isEqualTo(1);

    Cli.Result debug = cli.run("--debug", "tenant", "list");
    assertThat(debug.exit()).isEqualTo(ExitCodes.SERVER);
    assertThat(debug.err()).contains("\tat ");
  }

  @Test
  void missingCaFile() {
    Cli cli = Cli.against(server, dir);
    Cli.Result r = cli.run("tenant", "list", "--cacert", dir.resolve("nope.pem").toString());
    assertThat(r.exit()).as("%s", r).isEqualTo(ExitCodes.CLIENT);
    assertThat(r.err()).startsWith("error: IO_ERROR: ").contains("nope.pem");
  }

  @Test
  void httpAddressIsRefused() {
    Cli cli = Cli.against(server, dir);
    Cli.Result r = cli.run("tenant", "list", "--addr", addr.replace("https:", "http:"));
    assertThat(r.exit()).as("%s", r).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void tenantFromTheEnvironment() {
    Cli cli = Cli.against(server, dir);
    cli.ok("tenant", "create", "envtenant");
    cli.env.vars.put("STRONGROOM_TENANT", "envtenant");
    cli.ok("principal", "create", "p", "--role", "auditor");
    cli.ok("audit", "list");
  }

  @Test
  void stoppedServer() throws Exception {
    TestServer doomed = TestServer.start();
    Cli cli = Cli.against(doomed, dir);
    cli.ok("tenant", "list");
    // closing deletes the server's directory: keep its CA certificate
    Path keptCa = Files.copy(doomed.dataDir().resolve("tls/ca.pem"), dir.resolve("ca.pem"));
    cli.env.vars.put("STRONGROOM_CACERT", keptCa.toString());
    doomed.close();
    for (String[] args :
        new String[][] {
          {"tenant", "list"},
          {"tenant", "create", "x"},
          {"key", "create", "k", "-t", "acme"},
          {"audit", "verify"},
          {"datakey", "-t", "acme", "-k", "k"}
        }) {
      Cli.Result r = cli.run(args);
      assertThat(r.exit()).as("%s", r).isEqualTo(ExitCodes.SERVER);
      assertThat(r.err()).startsWith("error: CONNECTION_FAILED: cannot reach https://");
      assertThat(r.err()).doesNotContain("\tat ");
    }
  }
}
