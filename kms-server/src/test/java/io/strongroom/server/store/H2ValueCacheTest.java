package io.strongroom.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening an H2 database turns H2's shared value cache off for the process (see Database). */
class H2ValueCacheTest {
  @TempDir Path dir;

  @Test
  void openingAnH2DatabaseTurnsTheValueCacheOff() {
    try (JdbcFixture fixture = new JdbcFixture(JdbcFixture.Backend.H2, dir)) {
      fixture.open(fixture.newTarget());
      assertThat(System.getProperty(Database.H2_VALUE_CACHE)).isEqualTo("false");
    }
  }
}
