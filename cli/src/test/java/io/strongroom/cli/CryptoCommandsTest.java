package io.strongroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code encrypt} and {@code decrypt}: envelope messages of files and pipes, streamed. */
class CryptoCommandsTest {
  static TestServer server;
  static Cli app;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
    Cli admin = Cli.against(server, dir.resolve("admin"));
    admin.ok("tenant", "create", "acme");
    String token =
        admin
            .json("principal", "create", "app", "-t", "acme", "-r", "key-admin,key-user")
            .path("token")
            .path("token")
            .asText();
    app = Cli.against(server, dir.resolve("app")).token(token);
    app.ok("key", "create", "files", "--tenant", "acme");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void fileRoundTripOfSeveralMebibytes() throws Exception {
    byte[] data = random(5 * 1024 * 1024 + 123, 1);
    Path plain = Files.write(dir.resolve("big.bin"), data);
    Path sealed = dir.resolve("big.bin.sr");
    Path opened = dir.resolve("big.out");

    Cli.Result enc =
        app.ok(
            "encrypt",
            "--tenant",
            "acme",
            "--key",
            "files",
            "--context",
            "purpose=backup",
            "--context",
            "host=db1",
            "--in",
            plain.toString(),
            "--out",
            sealed.toString());
    assertThat(enc.stdoutBytes()).isEmpty();
    assertThat(enc.err()).isEmpty(); // stderr is no terminal here: no progress bar
    byte[] message = Files.readAllBytes(sealed);
    assertThat(message.length).isGreaterThan(data.length);
    assertThat(new String(message, 0, 3, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("SRE");

    app.ok(
        "decrypt",
        "--tenant",
        "acme",
        "--context",
        "host=db1",
        "--context",
        "purpose=backup",
        "--in",
        sealed.toString(),
        "--out",
        opened.toString());
    assertThat(Files.readAllBytes(opened)).isEqualTo(data);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
    }
  }

  @Test
  void stdinToStdoutAndBack() {
    byte[] data = random(200_000, 2);
    Cli.Result enc = app.runWithInput(data, "encrypt", "-t", "acme", "-k", "files");
    assertThat(enc.exit()).as("%s", enc).isZero();
    byte[] message = enc.stdoutBytes();
    assertThat(message.length).isGreaterThan(data.length);

    Cli.Result dec = app.runWithInput(message, "decrypt", "-t", "acme");
    assertThat(dec.exit()).as("%s", dec).isZero();
    assertThat(dec.stdoutBytes()).isEqualTo(data);

    Cli.Result dash = app.runWithInput(message, "decrypt", "-t", "acme", "--in", "-", "--out", "-");
    assertThat(dash.stdoutBytes()).isEqualTo(data);

    // empty input is a valid (empty) message too
    Cli.Result empty = app.runWithInput(new byte[0], "encrypt", "-t", "acme", "-k", "files");
    Cli.Result back = app.runWithInput(empty.stdoutBytes(), "decrypt", "-t", "acme");
    assertThat(back.exit()).as("%s", back).isZero();
    assertThat(back.stdoutBytes()).isEmpty();
  }

  @Test
  void wrongContextFailsAndLeavesNoOutput() throws Exception {
    Path plain = Files.write(dir.resolve("ctx.txt"), random(100_000, 3));
    Path sealed = dir.resolve("ctx.sr");
    app.ok(
        "encrypt",
        "-t",
        "acme",
        "-k",
        "files",
        "-c",
        "app=billing",
        "--in",
        plain.toString(),
        "--out",
        sealed.toString());

    Path out = dir.resolve("ctx.out");
    for (String[] ctx :
        new String[][] {
          {"-c", "app=payroll"},
          {"-c", "app=billing", "-c", "extra=1"},
          {} // no --context means the empty context
        }) {
      String[] args = new String[8 + ctx.length];
      String[] base = {"decrypt", "-t", "acme", "--in", sealed.toString(), "--out", out.toString()};
      System.arraycopy(base, 0, args, 0, base.length);
      System.arraycopy(ctx, 0, args, base.length, ctx.length);
      args = java.util.Arrays.copyOf(args, base.length + ctx.length);
      Cli.Result r = app.run(args);
      assertThat(r.exit()).as("%s", r).isEqualTo(ExitCodes.CLIENT);
      assertThat(r.err()).startsWith("error: INVALID_CIPHERTEXT: ");
      assertThat(r.err().lines().count()).isEqualTo(1);
      assertThat(out).doesNotExist();
    }

    // --any-context accepts the message's own context
    app.ok(
        "decrypt",
        "-t",
        "acme",
        "--any-context",
        "--in",
        sealed.toString(),
        "--out",
        out.toString());
    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(plain));
    Cli.Result both = app.run("decrypt", "-t", "acme", "--any-context", "-c", "a=b");
    assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void tamperedOrTruncatedMessageFails() throws Exception {
    byte[] data = random(300_000, 4);
    byte[] message = app.runWithInput(data, "encrypt", "-t", "acme", "-k", "files").stdoutBytes();

    byte[] flipped = message.clone();
    flipped[flipped.length / 2] ^= 1;
    Path out = dir.resolve("tampered.out");
    Path in = Files.write(dir.resolve("tampered.sr"), flipped);
    Cli.Result r = app.run("decrypt", "-t", "acme", "--in", in.toString(), "--out", out.toString());
    assertThat(r.exit()).as("%s", r).isEqualTo(ExitCodes.CLIENT);
    assertThat(r.err()).startsWith("error: INVALID_CIPHERTEXT: ");
    assertThat(out).doesNotExist();

    byte[] truncated = java.util.Arrays.copyOf(message, message.length - 10);
    Cli.Result t = app.runWithInput(truncated, "decrypt", "-t", "acme");
    assertThat(t.exit()).as("%s", t).isEqualTo(ExitCodes.CLIENT);

    Cli.Result garbage =
        app.runWithInput(
            "not a message".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            "decrypt",
            "-t",
            "acme");
    assertThat(garbage.exit()).as("%s", garbage).isEqualTo(ExitCodes.CLIENT);
    assertThat(garbage.err()).startsWith("error: INVALID_CIPHERTEXT: ");
  }

  @Test
  void encryptErrors() throws Exception {
    Cli.Result noKey = app.runWithInput(new byte[10], "encrypt", "-t", "acme", "-k", "missing");
    assertThat(noKey.exit()).as("%s", noKey).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(noKey.stdoutBytes()).isEmpty();

    Cli.Result noKeyOption = app.run("encrypt", "-t", "acme");
    assertThat(noKeyOption.exit()).isEqualTo(ExitCodes.USAGE);

    Cli.Result noFile =
        app.run("encrypt", "-t", "acme", "-k", "files", "--in", dir.resolve("nope").toString());
    assertThat(noFile.exit()).as("%s", noFile).isEqualTo(ExitCodes.CLIENT);
    assertThat(noFile.err()).startsWith("error: IO_ERROR: ").contains("no such file");

    Cli.Result badContext = app.run("encrypt", "-t", "acme", "-k", "files", "-c", "novalue");
    assertThat(badContext.exit()).isEqualTo(ExitCodes.USAGE);

    Cli.Result wrongToken =
        Cli.against(server, dir.resolve("wrong"))
            .token("srt_wrong")
            .runWithInput(new byte[10], "encrypt", "-t", "acme", "-k", "files");
    assertThat(wrongToken.exit()).as("%s", wrongToken).isEqualTo(ExitCodes.AUTH);

    // a message of another tenant is refused like a tampered one
    byte[] message =
        app.runWithInput(new byte[10], "encrypt", "-t", "acme", "-k", "files").stdoutBytes();
    Cli admin = Cli.against(server, dir.resolve("admin2"));
    admin.ok("tenant", "create", "other");
    String otherToken =
        admin
            .json("principal", "create", "o", "-t", "other", "-r", "key-user")
            .path("token")
            .path("token")
            .asText();
    Cli other = Cli.against(server, dir.resolve("other")).token(otherToken);
    Cli.Result foreign = other.runWithInput(message, "decrypt", "-t", "other");
    assertThat(foreign.exit()).as("%s", foreign).isEqualTo(ExitCodes.CLIENT);
    assertThat(foreign.err()).startsWith("error: INVALID_CIPHERTEXT: ");
  }

  @Test
  void progressBarOnlyOnATerminalForFiles() throws Exception {
    Path plain = Files.write(dir.resolve("progress.bin"), random(3 * 1024 * 1024, 5));
    Path sealed = dir.resolve("progress.sr");
    app.env.terminal = true;
    try {
      Cli.Result file =
          app.ok(
              "encrypt",
              "-t",
              "acme",
              "-k",
              "files",
              "--in",
              plain.toString(),
              "--out",
              sealed.toString());
      assertThat(file.err()).contains("encrypt").contains("%");
      Cli.Result pipe = app.runWithInput(new byte[1000], "encrypt", "-t", "acme", "-k", "files");
      assertThat(pipe.err()).isEmpty(); // size unknown: no bar
      Cli.Result off =
          app.ok(
              "decrypt",
              "-t",
              "acme",
              "--in",
              sealed.toString(),
              "--out",
              dir.resolve("progress.out").toString(),
              "--no-progress");
      assertThat(off.err()).isEmpty();
    } finally {
      app.env.terminal = false;
    }
  }
}
