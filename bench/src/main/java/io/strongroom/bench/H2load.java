package io.strongroom.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * h2load (nghttp2's load generator, written in C) repeating one POST against a server. On a small
 * machine the client shares the cores with the server; h2load takes a few percent of what a JVM
 * client would, so more of the machine measures the server. It does not read the answers' bodies:
 * callers check one answer of the same request with the SDK first.
 */
final class H2load {
  private static final Pattern FINISHED = Pattern.compile("finished in ([\\d.]+)s");
  private static final Pattern REQUESTS =
      Pattern.compile(
          "requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed,"
              + " (\\d+) errored, (\\d+) timeout");
  private static final Pattern STATUS =
      Pattern.compile("status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx");

  /** bash's {@code times}: the shell's user and system time, then its children's. */
  private static final Pattern TIMES =
      Pattern.compile("(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s\\s*\\z");

  private final String endpoint;
  private final String token;
  private final boolean http1;

  H2load(String endpoint, String token, boolean http1) {
    this.endpoint = endpoint;
    this.token = token;
    this.http1 = http1;
  }

  static boolean installed() {
    try {
      return new ProcessBuilder("h2load", "--version")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start()
              .waitFor()
          == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** What one run did: answers with a 2xx status, its length, and h2load's own CPU time. */
  record Run(long succeeded, double seconds, double cpuSeconds) {}

  /**
   * POSTs {@code body} to {@code path} for {@code seconds} with {@code inFlight} requests in
   * flight: over one HTTP/2 connection, as the SDK does, or with {@code --http1} one HTTP/1.1
   * connection each.
   *
   * @throws IllegalStateException when a request failed or was answered other than 2xx
   */
  Run run(String path, byte[] body, int inFlight, int seconds)
      throws IOException, InterruptedException {
    Path file = Files.createTempFile("strongroom-h2load", ".json");
    try {
      Files.write(file, body);
      List<String> cmd =
          new ArrayList<>(List.of("bash", "-c", "\"$@\"; s=$?; times; exit $s", "-"));
      cmd.add("h2load");
      if (http1) {
        cmd.addAll(List.of("--h1", "-c", Integer.toString(inFlight), "-m", "1"));
      } else {
        cmd.addAll(List.of("-c", "1", "-m", Integer.toString(inFlight)));
      }
      cmd.addAll(
          List.of(
              "-t",
              "1",
              "-D",
              Integer.toString(seconds),
              "-H",
              "authorization: Bearer " + token,
              "-H",
              "content-type: application/json",
              "-d",
              file.toString(),
              endpoint + path));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = p.waitFor();
      return parse(out, exit);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * What h2load printed, followed by bash's {@code times}.
   *
   * @throws IllegalStateException when h2load failed, a request failed, or an answer was not 2xx
   */
  static Run parse(String out, int exit) {
    Matcher finished = FINISHED.matcher(out);
    Matcher requests = REQUESTS.matcher(out);
    Matcher status = STATUS.matcher(out);
    Matcher times = TIMES.matcher(out);
    if (exit != 0 || !finished.find() || !requests.find() || !status.find() || !times.find()) {
      throw new IllegalStateException("h2load failed (exit " + exit + "):\n" + out);
    }
    long failed = Long.parseLong(requests.group(5)) + Long.parseLong(requests.group(6));
    long not2xx =
        Long.parseLong(status.group(2))
            + Long.parseLong(status.group(3))
            + Long.parseLong(status.group(4));
    if (failed > 0 || not2xx > 0) {
      throw new IllegalStateException(
          failed + " requests failed and " + not2xx + " were answered other than 2xx:\n" + out);
    }
    double cpu =
        Integer.parseInt(times.group(1)) * 60
            + Double.parseDouble(times.group(2))
            + Integer.parseInt(times.group(3)) * 60
            + Double.parseDouble(times.group(4));
    return new Run(Long.parseLong(status.group(1)), Double.parseDouble(finished.group(1)), cpu);
  }
}
