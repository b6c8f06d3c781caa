package io.strongroom.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.server.store.JdbcFixture.Backend;
import io.strongroom.server.testing.TestPostgres.Target;
import java.nio.file.Path;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Flyway builds the schema on an empty H2 and an empty PostgreSQL; opening again changes nothing.
 */
class MigrationTest {
  private static final List<String> TABLES =
      List.of(
          "tenants",
          "principals",
          "tokens",
          "kms_keys",
          "key_versions",
          "audit_log",
          "audit_head",
          "settings");

  @TempDir Path dir;

  private JdbcFixture fixture;

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void emptyDatabaseIsMigratedOnceAndReopeningIsANoOp(Backend backend) {
    fixture = new JdbcFixture(backend, dir);
    Target target = fixture.newTarget();

    Database first = fixture.open(target);
    assertMigrated(first);
    for (String table : TABLES) {
      assertThat(count(first, "SELECT COUNT(*) FROM " + table)).as(table).isZero();
    }
    List<String> historyBefore = history(first);
    // Flyway may add a schema-creation marker row without a version on some databases
    assertThat(historyBefore)
        .filteredOn(row -> !row.startsWith("null "))
        .containsExactly("1 V1__schema.sql true");
    JdbcStores.settings(first).putIfAbsent("probe", new byte[] {1, 2, 3});
    first.close();

    // a second open of the same database: nothing to migrate, data kept
    Database second = fixture.open(target);
    assertMigrated(second);
    assertThat(history(second)).isEqualTo(historyBefore);
    assertThat(JdbcStores.settings(second).get("probe"))
        .hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 3));

    // and a third one while the second is still open, as a second server node does
    Database third = fixture.open(target);
    assertMigrated(third);
    assertThat(history(third)).isEqualTo(historyBefore);
  }

  private static void assertMigrated(Database db) {
    Flyway flyway =
        Flyway.configure().dataSource(db.pool()).locations("classpath:db/migration").load();
    MigrationInfo current = flyway.info().current();
    assertThat(current).isNotNull();
    assertThat(current.getVersion().getVersion()).isEqualTo("1");
    assertThat(current.getState()).isEqualTo(MigrationState.SUCCESS);
    assertThat(flyway.info().pending()).isEmpty();
    flyway.validate();
  }

  private static List<String> history(Database db) {
    return db.query(
        "SELECT \"version\", \"script\", \"success\" FROM \"flyway_schema_history\""
            + " ORDER BY \"installed_rank\"",
        ps -> {},
        rs -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getBoolean(3));
  }

  private static long count(Database db, String sql) {
    return db.query(sql, ps -> {}, rs -> rs.getLong(1)).get(0);
  }
}
