package io.strongroom.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Reading h2load's summary (nghttp2 1.52, as printed by {@code bench/h2load.sh}) and bash's {@code
 * times} after it; the HSM benchmark counts only answers that were 2xx and fails on any other.
 */
class H2loadTest {
  private static final String OK =
      """
      starting benchmark...
      spawning thread #0: 1 total client(s). Timing-based test with 0s of warm-up time and 10s of main duration for measurements.
      Warm-up started for thread #0.
      progress: 10% of clients started
      Warm-up phase is over for thread #0.
      Main benchmark duration is started for thread #0.
      Main benchmark duration is over for thread #0. Stopping all clients.
      Stopped all clients for thread #0

      finished in 10.00s, 212.70 req/s, 5.06MB/s
      requests: 2127 total, 2135 started, 2127 done, 2127 succeeded, 0 failed, 0 errored, 0 timeout
      status codes: 2127 2xx, 0 3xx, 0 4xx, 0 5xx
      traffic: 50.63MB (53091234) total, 19.21KB (19674) headers (space savings 95.53%), 50.58MB (53035624) data
                           min         max         mean         sd        +/- sd
      time for request:    10.34ms     74.31ms     37.49ms      9.02ms    71.43%
      0m0.001s 0m0.002s
      0m1.234s 0m0.066s
      """;

  @Test
  void readsTheAnswersTheTimeAndTheClientsCpu() {
    H2load.Run run = H2load.parse(OK, 0);
    assertThat(run.succeeded()).isEqualTo(2127);
    assertThat(run.seconds()).isEqualTo(10.0);
    assertThat(run.cpuSeconds()).isCloseTo(1.3, within(1e-9));
  }

  @Test
  void anAnswerOtherThan2xxFailsTheRun() {
    String out = OK.replace("0 4xx", "3 4xx");
    assertThatThrownBy(() -> H2load.parse(out, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("3 were answered other than 2xx");
  }

  @Test
  void aFailedRequestFailsTheRun() {
    String out = OK.replace("0 errored", "1 errored");
    assertThatThrownBy(() -> H2load.parse(out, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1 requests failed");
  }

  @Test
  void h2loadFailingOrPrintingNoSummaryFailsTheRun() {
    assertThatThrownBy(() -> H2load.parse(OK, 1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> H2load.parse("No protocol negotiated\n0m0.0s 0m0.0s\n", 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("h2load failed");
  }
}
