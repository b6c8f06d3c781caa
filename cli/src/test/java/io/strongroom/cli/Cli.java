package io.strongroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strongroom.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs {@code strongroom} in-process against a {@link TestServer}: {@code STRONGROOM_ADDR} and
 * {@code STRONGROOM_CACERT} point at the server, and {@code STRONGROOM_TOKEN} is whatever the test
 * sets (the admin token at first).
 */
final class Cli {
  static final ObjectMapper JSON = new ObjectMapper();

  final TestEnvironment env;

  Cli(Path dir) {
    try {
      Path home = Files.createDirectories(dir.resolve("home"));
      Path work = Files.createDirectories(dir.resolve("work"));
      this.env = new TestEnvironment(home, work);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A CLI pointed at {@code server} with its admin token. */
  static Cli against(TestServer server, Path dir) {
    Cli cli = new Cli(dir);
    cli.env.vars.put("STRONGROOM_ADDR", server.server().endpoint());
    cli.env.vars.put(
        "STRONGROOM_CACERT", server.dataDir().resolve("tls").resolve("ca.pem").toString());
    cli.env.vars.put("STRONGROOM_TOKEN", server.adminToken());
    return cli;
  }

  Cli token(String token) {
    env.vars.put("STRONGROOM_TOKEN", token);
    return this;
  }

  /** Runs one command line with empty stdin. */
  Result run(String... args) {
    return runWithInput(new byte[0], args);
  }

  Result runWithInput(byte[] stdin, String... args) {
    env.stdinBytes = stdin;
    env.reset();
    int exit = Strongroom.commandLine(env).execute(args);
    return new Result(
        String.join(" ", args),
        exit,
        env.stdoutBytes(),
        new String(env.stderrBytes(), StandardCharsets.UTF_8));
  }

  /** Runs a command that must succeed. */
  Result ok(String... args) {
    Result r = run(args);
    assertThat(r.exit()).as("strongroom %s -> %s", String.join(" ", args), r).isZero();
    return r;
  }

  /** Runs a command with {@code -o json} that must succeed; returns its parsed output. */
  JsonNode json(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "-o";
    all[1] = "json";
    System.arraycopy(args, 0, all, 2, args.length);
    return ok(all).json();
  }

  /** One command's outcome. */
  @SuppressWarnings("ArrayRecordComponent") // equals and hashCode are overridden
  record Result(String command, int exit, byte[] stdoutBytes, String err) {
    String out() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(stdoutBytes);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out(), e);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Result r
          && r.command.equals(command)
          && r.exit == exit
          && Arrays.equals(r.stdoutBytes, stdoutBytes)
          && r.err.equals(err);
    }

    @Override
    public int hashCode() {
      return command.hashCode() * 31 + exit;
    }

    @Override
    public String toString() {
      String o = out();
      return "exit "
          + exit
          + "\n--- stdout ---\n"
          + (o.length() > 2000 ? o.substring(0, 2000) + "..." : o)
          + "\n--- stderr ---\n"
          + err;
    }
  }
}
