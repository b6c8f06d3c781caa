package io.strongroom.server.store;

import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.store.StoreContract;
import io.strongroom.core.store.Stores;
import io.strongroom.server.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract against the JDBC stores on real PostgreSQL: the server named by {@code
 * STRONGROOM_TEST_PG_URL}, or an embedded one. Fails, never skips, when PostgreSQL cannot run.
 */
class PostgresStoreContractTest extends StoreContract {
  private JdbcFixture fixture;

  @BeforeAll
  static void startPostgres() {
    TestPostgres.ensureStarted();
  }

  @Override
  protected Stores newStores(AuditChain chain) {
    if (fixture == null) {
      fixture = new JdbcFixture(JdbcFixture.Backend.POSTGRES, null);
    }
    return fixture.freshStores(chain);
  }

  @AfterEach
  void closeStores() {
    if (fixture != null) {
      fixture.close();
    }
  }
}
