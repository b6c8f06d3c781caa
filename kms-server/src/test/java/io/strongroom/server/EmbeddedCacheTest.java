package io.strongroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.server.config.ServerConfig;
import io.strongroom.server.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded database runs with a small page cache (ServerConfig.EMBEDDED_CACHE_KIB, against H2's
 * default of a sixteenth of the heap), which keeps G1's pauses short under load, and writes its
 * commits to its file every 100 ms (EMBEDDED_WRITE_DELAY_MS, against a second); an operator's
 * --db-url is used as given.
 */
class EmbeddedCacheTest {
  @TempDir Path dir;

  @Test
  void theEmbeddedDatabaseRunsWithTheSmallPageCacheAndFrequentWrites() throws Exception {
    try (TestServer server = TestServer.startIn(dir, c -> c)) {
      // A session of this test's own, on the running server's database, with no settings of its
      // own in the URL: it sees the settings the server's URL opened the database with.
      String plain = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("db").resolve("strongroom");
      try (Connection c = DriverManager.getConnection(plain)) {
        assertThat(setting(c, "CACHE_SIZE")).isEqualTo("2048");
        assertThat(setting(c, "WRITE_DELAY")).isEqualTo("100");
      }
    }
  }

  private static String setting(Connection c, String name) throws Exception {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as(name).isTrue();
        return rs.getString(1);
      }
    }
  }

  @Test
  void anOperatorsDatabaseUrlIsUsedAsGiven() {
    String url = "jdbc:h2:file:/var/lib/strongroom/db;CACHE_SIZE=65536";
    ServerConfig.Builder b = ServerConfig.defaults(dir, 0).toBuilder();
    b.dbUrl = url;
    ServerConfig cfg = b.build();
    assertThat(cfg.jdbcUrl()).isEqualTo(url);
  }
}
