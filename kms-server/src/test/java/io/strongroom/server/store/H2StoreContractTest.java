package io.strongroom.server.store;

import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.store.StoreContract;
import io.strongroom.core.store.Stores;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The store contract against the JDBC stores on an H2 file database, as embedded deployments. */
class H2StoreContractTest extends StoreContract {
  @TempDir Path dir;

  private JdbcFixture fixture;

  @Override
  protected Stores newStores(AuditChain chain) {
    if (fixture == null) {
      fixture = new JdbcFixture(JdbcFixture.Backend.H2, dir);
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
