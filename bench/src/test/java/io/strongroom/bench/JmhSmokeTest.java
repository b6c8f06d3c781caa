package io.strongroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The CI smoke of the JMH suite: one benchmark, in this JVM, one short warm-up and one short
 * measured iteration. It asserts only that the benchmark runs and reports a result, never a timing.
 */
class JmhSmokeTest {
  @Test
  void envelopeEncryptRunsAndReports() throws RunnerException {
    Options options =
        new OptionsBuilder()
            .include(EnvelopeBenchmark.class.getName() + ".encrypt$")
            .param("payloadBytes", "32")
            .forks(0)
            .warmupIterations(1)
            .warmupTime(TimeValue.milliseconds(100))
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100))
            .timeUnit(TimeUnit.SECONDS)
            .shouldFailOnError(true)
            .build();

    Collection<RunResult> results = new Runner(options).run();

    assertThat(results).hasSize(1);
    RunResult result = results.iterator().next();
    assertThat(result.getParams().getBenchmark()).endsWith("EnvelopeBenchmark.encrypt");
    assertThat(result.getPrimaryResult().getSampleCount()).isPositive();
    assertThat(result.getPrimaryResult().getScore()).isPositive();
  }
}
