package io.strongroom.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An {@link Environment} for running commands in-process: variables from a map, a home and working
 * directory of the test's choosing, stdin from bytes, stdout and stderr captured.
 */
final class TestEnvironment implements Environment {
  final Map<String, String> vars = new HashMap<>();
  final Path home;
  final Path workingDir;
  byte[] stdinBytes = new byte[0];
  boolean terminal;
  private InputStream stdin = InputStream.nullInputStream();
  private ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  TestEnvironment(Path home, Path workingDir) {
    this.home = home;
    this.workingDir = workingDir;
  }

  /** Fresh streams for the next command. */
  void reset() {
    stdin = new ByteArrayInputStream(stdinBytes);
    stdout = new ByteArrayOutputStream();
    stderr = new ByteArrayOutputStream();
  }

  byte[] stdoutBytes() {
    return stdout.toByteArray();
  }

  byte[] stderrBytes() {
    return stderr.toByteArray();
  }

  @Override
  public String getenv(String name) {
    return vars.get(name);
  }

  @Override
  public Path home() {
    return home;
  }

  @Override
  public Path workingDir() {
    return workingDir;
  }

  @Override
  public InputStream stdin() {
    return stdin;
  }

  @Override
  public OutputStream stdout() {
    return stdout;
  }

  @Override
  public OutputStream stderr() {
    return stderr;
  }

  @Override
  public boolean stderrIsTerminal() {
    return terminal;
  }
}
