package io.strongroom.server.store;

import io.strongroom.core.Principal;
import io.strongroom.core.Role;
import io.strongroom.core.store.PrincipalStore;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** Principals over JDBC; roles are stored as a comma-separated list of wire names. */
public final class JdbcPrincipalStore implements PrincipalStore {
  private final Database db;

  public JdbcPrincipalStore(Database db) {
    this.db = db;
  }

  @Override
  public void create(Principal p) {
    db.update(
        "INSERT INTO principals (tenant, name, roles, created_at) VALUES (?, ?, ?, ?)",
        ps -> {
          ps.setString(1, p.tenant());
          ps.setString(2, p.name());
          ps.setString(
              3, p.roles().stream().map(Role::wireName).sorted().collect(Collectors.joining(",")));
          ps.setLong(4, p.createdAt().toEpochMilli());
        });
  }

  @Override
  public Optional<Principal> find(String tenant, String name) {
    return db
        .query(
            "SELECT tenant, name, roles, created_at FROM principals WHERE tenant = ? AND name = ?",
            ps -> {
              ps.setString(1, tenant);
              ps.setString(2, name);
            },
            rs ->
                new Principal(
                    rs.getString(1),
                    rs.getString(2),
                    Arrays.stream(rs.getString(3).split(","))
                        .map(Role::fromWire)
                        .collect(Collectors.toSet()),
                    Instant.ofEpochMilli(rs.getLong(4))))
        .stream()
        .findFirst();
  }
}
