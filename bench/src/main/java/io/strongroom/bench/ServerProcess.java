package io.strongroom.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code strongroom-server.jar} run as a child process for benchmarks: started on a data
 * directory, ready once it prints {@code READY https://…}, stopped on {@link #close}. Its CPU time
 * is read from the operating system ({@link ProcessHandle.Info#totalCpuDuration}).
 */
final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final String endpoint;
  private final Path dataDir;

  private ServerProcess(Process process, String endpoint, Path dataDir) {
    this.process = process;
    this.endpoint = endpoint;
    this.dataDir = dataDir;
  }

  /** The server jar: {@code STRONGROOM_SERVER_JAR}, else the build's. */
  static Path jar() {
    String env = System.getenv("STRONGROOM_SERVER_JAR");
    Path jar = Path.of(env != null ? env : "kms-server/target/strongroom-server.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it (mvn -pl kms-server -am package -DskipTests)");
    }
    return jar;
  }

  /**
   * Starts the server with {@code --data-dir dataDir --port 0} and {@code args}; JVM options from
   * {@code STRONGROOM_BENCH_SERVER_JVM_OPTIONS} (e.g. a JFR recording) go before {@code -jar}.
   */
  static ServerProcess start(Path dataDir, List<String> args) throws IOException {
    Process p = new ProcessBuilder(command(dataDir, args)).redirectErrorStream(true).start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    for (String line; (line = r.readLine()) != null; ) {
      seen.append(line).append('\n');
      if (line.startsWith("READY ")) {
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try {
                    r.transferTo(java.io.Writer.nullWriter());
                  } catch (IOException e) {
                    // the server stopped
                  }
                });
        return new ServerProcess(p, line.substring("READY ".length()).strip(), dataDir);
      }
    }
    throw new IllegalStateException("the server did not start:\n" + seen);
  }

  /** Runs the server jar with {@code args} to completion (e.g. {@code --pkcs11-init}). */
  static void runToCompletion(Path dataDir, List<String> args)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command(dataDir, args)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("server command failed: " + out);
    }
  }

  private static List<String> command(Path dataDir, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    String jvmOptions = System.getenv("STRONGROOM_BENCH_SERVER_JVM_OPTIONS");
    if (jvmOptions != null && !jvmOptions.isBlank()) {
      cmd.addAll(List.of(jvmOptions.strip().split("\\s+")));
    }
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of("--data-dir", dataDir.toString(), "--port", "0"));
    cmd.addAll(args);
    return cmd;
  }

  long pid() {
    return process.pid();
  }

  String endpoint() {
    return endpoint;
  }

  Path adminTokenFile() {
    return dataDir.resolve("admin.token");
  }

  Path caCertificate() {
    return dataDir.resolve("tls").resolve("ca.pem");
  }

  String adminToken() {
    try {
      return Files.readString(adminTokenFile()).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** CPU time the server process has used so far (user + system), in seconds. */
  double cpuSeconds() {
    return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO).toNanos() / 1e9;
  }

  /** Resident memory of the server process in bytes, from /proc (Linux), or -1. */
  long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
