package io.strongroom.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.core.Blocking;
import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.store.Stores;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every JDBC store call refuses to start inside {@link Blocking#forbid} (as on an event loop). */
class BlockingGuardTest {
  @TempDir Path dir;
  private JdbcFixture fixture;

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void storeCallsThrowWouldBlockBeforeTakingAConnection() throws Exception {
    fixture = new JdbcFixture(JdbcFixture.Backend.H2, dir);
    Stores stores = fixture.freshStores(new AuditChain(new byte[32]));
    assertThatThrownBy(() -> Blocking.forbid(() -> stores.keys().findByName("t", "k")))
        .isInstanceOf(Blocking.WouldBlock.class);
    assertThatThrownBy(() -> Blocking.forbid(() -> stores.tenants().find("t")))
        .isInstanceOf(Blocking.WouldBlock.class);
    assertThatThrownBy(
            () ->
                Blocking.forbid(
                    () -> {
                      stores.healthCheck().run();
                      return null;
                    }))
        .isInstanceOf(Blocking.WouldBlock.class);
    // outside forbid the same calls work
    assertThat(stores.keys().findByName("t", "k")).isEmpty();
    assertThat(stores.tenants().find("t")).isEmpty();
  }
}
