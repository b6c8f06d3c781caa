package io.strongroom.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.audit.AuditEvent;
import io.strongroom.core.audit.AuditItem;
import io.strongroom.core.audit.AuditLog;
import io.strongroom.core.audit.AuditRecord;
import io.strongroom.server.store.JdbcFixture.Backend;
import io.strongroom.server.testing.TestPostgres.Target;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
        .containsExactly("1 V1__schema.sql true", "2 V2__audit_items.sql true");
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

  /**
   * A database written by release 0.1 (schema V1, a batch's items as records of their own) is
   * upgraded in place: its chain still verifies, and the records appended after the upgrade, a
   * batch's with items, extend it.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void aVersion1DatabaseIsUpgradedAndItsAuditChainStillVerifies(Backend backend) {
    fixture = new JdbcFixture(backend, dir);
    Target target = fixture.newTarget();
    Flyway.configure()
        .dataSource(target.url(), target.user(), target.password())
        .locations("classpath:db/migration")
        .target("1")
        .load()
        .migrate();
    AuditChain chain = new AuditChain(new byte[32]);
    Instant t = Instant.parse("2026-06-01T12:00:00Z");
    List<AuditEvent> old =
        List.of(
            new AuditEvent(
                t, "r1", "acme", "acme/app", "create-key", "k", 1, null, "OK", null, "10.0.0.1"),
            new AuditEvent(
                t,
                "r2",
                "acme",
                "acme/app",
                "batch:encrypt",
                "k",
                1,
                Map.of("a", "b"),
                "OK",
                null,
                "10.0.0.1"),
            new AuditEvent(
                t,
                "r2",
                "acme",
                "acme/app",
                "batch:decrypt",
                null,
                null,
                null,
                "ERROR",
                "INVALID_CIPHERTEXT",
                "10.0.0.1"));
    byte[] mac = AuditChain.genesis();
    try (Connection c =
            DriverManager.getConnection(target.url(), target.user(), target.password());
        PreparedStatement ins =
            c.prepareStatement(
                "INSERT INTO audit_log (seq, at, request_id, tenant, principal, operation,"
                    + " key_name, key_version, context, outcome, error_code, source, mac)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      long seq = 0;
      for (AuditEvent e : old) {
        mac = chain.mac(mac, ++seq, e);
        ins.setLong(1, seq);
        ins.setLong(2, e.time().toEpochMilli());
        ins.setString(3, e.requestId());
        ins.setString(4, e.tenant());
        ins.setString(5, e.principal());
        ins.setString(6, e.operation());
        ins.setString(7, e.key());
        ins.setObject(8, e.keyVersion(), Types.INTEGER);
        ins.setString(9, e.context() == null ? null : "{\"a\":\"b\"}");
        ins.setString(10, e.outcome());
        ins.setString(11, e.errorCode());
        ins.setString(12, e.source());
        ins.setBytes(13, mac);
        ins.executeUpdate();
      }
      try (PreparedStatement head =
          c.prepareStatement("INSERT INTO audit_head (id, seq, mac) VALUES (1, ?, ?)")) {
        head.setLong(1, seq);
        head.setBytes(2, mac);
        head.executeUpdate();
      }
    } catch (SQLException e) {
      throw new AssertionError(e);
    }

    Database db = fixture.open(target);
    assertMigrated(db);
    AuditLog log = fixture.stores(db, chain).audit();
    assertThat(chain.verify(log, 2).ok()).isTrue();
    AuditEvent batch =
        new AuditEvent(
            t,
            "r3",
            "acme",
            "acme/app",
            "batch",
            null,
            null,
            null,
            "OK",
            null,
            "10.0.0.1",
            List.of(new AuditItem("encrypt", "k", 1, Map.of("a", "b"), "OK", null)));
    log.append(List.of(batch)).join();
    AuditChain.Verification v = chain.verify(log, 2);
    assertThat(v.ok()).as(String.valueOf(v.reason())).isTrue();
    assertThat(v.records()).isEqualTo(4);
    assertThat(log.scan(0, 10))
        .extracting(AuditRecord::event)
        .containsExactly(old.get(0), old.get(1), old.get(2), batch);
  }

  private static void assertMigrated(Database db) {
    Flyway flyway =
        Flyway.configure().dataSource(db.pool()).locations("classpath:db/migration").load();
    MigrationInfo current = flyway.info().current();
    assertThat(current).isNotNull();
    assertThat(current.getVersion().getVersion()).isEqualTo("2");
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
