package io.strongroom.server.store;

import io.strongroom.core.Tenant;
import io.strongroom.core.store.TenantStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Tenants over JDBC. */
public final class JdbcTenantStore implements TenantStore {
  private final Database db;

  public JdbcTenantStore(Database db) {
    this.db = db;
  }

  @Override
  public void create(Tenant t) {
    db.update(
        "INSERT INTO tenants (name, description, created_at) VALUES (?, ?, ?)",
        ps -> {
          ps.setString(1, t.name());
          ps.setString(2, t.description());
          ps.setLong(3, t.createdAt().toEpochMilli());
        });
  }

  @Override
  public Optional<Tenant> find(String name) {
    return db
        .query(
            "SELECT name, description, created_at FROM tenants WHERE name = ?",
            ps -> ps.setString(1, name),
            rs -> new Tenant(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))))
        .stream()
        .findFirst();
  }

  @Override
  public List<Tenant> list(String afterName, int limit) {
    return db.query(
        "SELECT name, description, created_at FROM tenants WHERE name > ? ORDER BY name LIMIT ?",
        ps -> {
          ps.setString(1, afterName == null ? "" : afterName);
          ps.setInt(2, limit);
        },
        rs -> new Tenant(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))));
  }
}
