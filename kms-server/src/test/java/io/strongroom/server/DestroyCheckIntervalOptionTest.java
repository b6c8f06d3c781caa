package io.strongroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.server.testing.CommandRun;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --destroy-check-interval} outside PT0.1S–PT24H stops the start with a clear message. */
class DestroyCheckIntervalOptionTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"PT0S", "PT0.05S", "PT25H", "-PT1M"})
  void anIntervalOutOfRangeIsRefused(String interval) {
    CommandRun run =
        CommandRun.inProcess("--data-dir", dir.toString(), "--destroy-check-interval", interval);
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--destroy-check-interval must be between PT0.1S and PT24H");
  }
}
