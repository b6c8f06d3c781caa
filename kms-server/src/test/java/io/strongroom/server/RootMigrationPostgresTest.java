package io.strongroom.server;

import io.strongroom.server.config.ServerConfig;
import io.strongroom.server.testing.TestPostgres;
import io.strongroom.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Moving the root key of a deployment on real PostgreSQL (a fresh database per test). Fails, never
 * skips, when PostgreSQL cannot run.
 */
class RootMigrationPostgresTest extends RootMigrationContract {
  private TestPostgres.Target db;

  @BeforeAll
  static void startPostgres() {
    TestPostgres.ensureStarted();
  }

  @BeforeEach
  void freshDatabase() {
    db = TestPostgres.freshDatabase();
  }

  @AfterEach
  void dropDatabase() {
    if (db != null) {
      TestPostgres.drop(db);
    }
  }

  @Override
  ServerConfig onDatabase(ServerConfig c) {
    return TestServer.withDatabase(c, db.url(), db.user(), db.password());
  }
}
