package io.strongroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.server.config.ServerConfig;
import io.strongroom.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database opens beside the root key and Vert.x (StrongroomServer.start): a start that fails on
 * one of them must still close the other, so that no connection pool (nor H2's hold on its files)
 * outlives it.
 */
class StartFailureTest {
  @TempDir Path dir;

  @Test
  void aStartThatFailsOnTheRootKeyClosesTheDatabaseOpenedBesideIt() throws Exception {
    // a server made the database and its schema, and stopped
    TestServer.startIn(dir, c -> c).close();
    ServerConfig cfg = ServerConfig.defaults(dir, 0);
    Files.writeString(cfg.effectiveRootKeyFile(), "not a key\n");

    assertThatThrownBy(() -> StrongroomServer.start(cfg))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is malformed");

    // The pool would hold at least two connections (its minimum idle); H2 keeps an embedded
    // database open while any is, so only this test's own session may be left.
    try (Connection c = DriverManager.getConnection(cfg.jdbcUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }
}
