package io.strongroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The load generator runs and reports for a few seconds, each time against a server it starts
 * itself (the server jar the build made, on its embedded default, over real HTTPS). Only that it
 * runs, counts and reports is asserted, never a timing.
 */
class LoadGeneratorSmokeTest {

  private JsonNode run(String... more) throws Exception {
    String[] base = {"--warmup", "1", "--duration", "2", "--connections", "4", "--json"};
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try (PrintStream p = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      System.setOut(p);
      code = new CommandLine(new LoadGenerator()).execute(args);
    } finally {
      System.setOut(old);
    }
    assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
    return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void closedLoopGenerateDataKeyReportsThroughputLatencyAndNoErrors() throws Exception {
    JsonNode r = run("--op", "generate-data-key");
    assertThat(r.path("requests").asLong()).isPositive();
    assertThat(r.path("opsPerSecond").asDouble()).isPositive();
    assertThat(r.path("p50Ms").asDouble()).isPositive();
    assertThat(r.path("p99Ms").asDouble()).isGreaterThanOrEqualTo(r.path("p50Ms").asDouble());
    assertThat(r.has("p999Ms")).isTrue();
    assertThat(r.path("errorCount").asLong()).as("%s", r.path("errors")).isZero();
    // the generator started the server, so it knows the server's CPU time and memory
    assertThat(r.path("serverCpuSeconds").asDouble()).isPositive();
    assertThat(r.path("serverResidentBytes").asLong()).isPositive();
  }

  @Test
  void decryptOverHttp1WithAPoolOfWrappedKeys() throws Exception {
    JsonNode r = run("--op", "decrypt", "--http1");
    assertThat(r.path("http2").asBoolean()).isFalse();
    assertThat(r.path("requests").asLong()).isPositive();
    assertThat(r.path("errorCount").asLong()).as("%s", r.path("errors")).isZero();
  }

  @Test
  void openLoopBatchCountsItems() throws Exception {
    JsonNode r = run("--op", "batch", "--batch", "10", "--rate", "50");
    assertThat(r.path("rate").asInt()).isEqualTo(50);
    assertThat(r.path("itemsPerRequest").asInt()).isEqualTo(10);
    assertThat(r.path("requests").asLong()).isPositive();
    assertThat(r.path("opsPerSecond").asDouble())
        .isEqualTo(
            r.path("requestsPerSecond").asDouble() * 10, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(r.path("errorCount").asLong()).as("%s", r.path("errors")).isZero();
  }
}
