package io.strongroom.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.strongroom.server.testing.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server main in a child JVM, as scripts use it: {@code --data-dir DIR --port 0}, wait for
 * the {@code READY https://HOST:PORT} line (never a sleep), find {@code DIR/admin.token} and {@code
 * DIR/tls/ca.pem} private to the owner, and start again on the same directory without a new token.
 */
class ProcessE2ETest {
  private static final Pattern READY = Pattern.compile("READY (https://127\\.0\\.0\\.1:(\\d+))");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final String EOF = "\u0000EOF";

  @TempDir Path dir;

  /** A started child process and what it printed up to its READY line. */
  private record Child(Process process, URI endpoint, List<String> linesBeforeReady, Path stderr) {}

  @Test
  void startsPrintsReadyAndRestartsOnTheSameDataDirectory() throws Exception {
    Path data = dir.resolve("data");
    Path token = data.resolve("admin.token");
    Path ca = data.resolve("tls").resolve("ca.pem");

    Child first = start(data, dir.resolve("first.err"));
    String adminToken;
    try {
      assertThat(Files.getPosixFilePermissions(token))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.getPosixFilePermissions(ca))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      adminToken = Files.readString(token).strip();
      assertThat(adminToken).startsWith("srt_");
      assertThat(first.linesBeforeReady())
          .anyMatch(l -> l.contains("admin token is " + adminToken));

      try (HttpClient client = client(ca)) {
        assertThat(get(client, first.endpoint(), "/readyz", null).statusCode()).isEqualTo(200);
        assertThat(get(client, first.endpoint(), "/v1/tenants", adminToken).statusCode())
            .isEqualTo(200);
      }
    } finally {
      stop(first);
    }

    Child second = start(data, dir.resolve("second.err"));
    try {
      assertThat(second.linesBeforeReady()).noneMatch(l -> l.contains("admin token is"));
      assertThat(second.linesBeforeReady()).noneMatch(l -> l.contains("srt_"));
      assertThat(Files.readString(token).strip()).isEqualTo(adminToken);
      try (HttpClient client = client(ca)) {
        assertThat(get(client, second.endpoint(), "/readyz", null).statusCode()).isEqualTo(200);
        HttpResponse<String> tenants = get(client, second.endpoint(), "/v1/tenants", adminToken);
        assertThat(tenants.statusCode()).as(tenants.body()).isEqualTo(200);
        assertThat(tenants.body()).contains("\"system\"");
      }
    } finally {
      stop(second);
    }
  }

  private static Child start(Path data, Path stderr) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "io.strongroom.server.Main",
                "--data-dir",
                data.toString(),
                "--port",
                "0")
            .redirectError(stderr.toFile());
    Process p = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process went away
              } finally {
                lines.add(EOF);
              }
            },
            "child-stdout");
    reader.setDaemon(true);
    reader.start();

    List<String> before = new ArrayList<>();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null || line.equals(EOF)) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        fail(
            (line == null ? "no READY line within " + START_TIMEOUT : "exited before READY")
                + "; stdout: "
                + before
                + "; stderr: "
                + Files.readString(stderr));
      }
      Matcher m = READY.matcher(line);
      if (m.matches()) {
        return new Child(p, URI.create(m.group(1)), before, stderr);
      }
      before.add(line);
    }
  }

  private static void stop(Child child) throws InterruptedException {
    Process p = child.process();
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      fail("the server did not stop on SIGTERM");
    }
  }

  private static HttpClient client(Path ca) throws Exception {
    return HttpClient.newBuilder()
        .sslContext(TestServer.trusting(ca))
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  private static HttpResponse<String> get(
      HttpClient client, URI endpoint, String path, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpoint.resolve(path)).timeout(Duration.ofSeconds(30)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
