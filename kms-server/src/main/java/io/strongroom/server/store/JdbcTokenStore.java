package io.strongroom.server.store;

import io.strongroom.core.TokenRecord;
import io.strongroom.core.store.TokenStore;
import java.time.Instant;
import java.util.Optional;

/** Token hashes over JDBC. */
public final class JdbcTokenStore implements TokenStore {
  private final Database db;

  public JdbcTokenStore(Database db) {
    this.db = db;
  }

  @Override
  public void create(TokenRecord t) {
    db.update(
        "INSERT INTO tokens (id, tenant, principal, hash, description, created_at, expires_at,"
            + " revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ps -> {
          ps.setString(1, t.id());
          ps.setString(2, t.tenant());
          ps.setString(3, t.principal());
          ps.setBytes(4, t.hash());
          ps.setString(5, t.description());
          ps.setLong(6, t.createdAt().toEpochMilli());
          ps.setLong(7, t.expiresAt().toEpochMilli());
          if (t.revokedAt() == null) {
            ps.setNull(8, java.sql.Types.BIGINT);
          } else {
            ps.setLong(8, t.revokedAt().toEpochMilli());
          }
        });
  }

  @Override
  public Optional<TokenRecord> findByHash(byte[] hash) {
    return db
        .query(
            "SELECT id, tenant, principal, hash, description, created_at, expires_at, revoked_at"
                + " FROM tokens WHERE hash = ?",
            ps -> ps.setBytes(1, hash),
            rs -> {
              Long revoked = Database.getLong(rs, "revoked_at");
              return new TokenRecord(
                  rs.getString("id"),
                  rs.getString("tenant"),
                  rs.getString("principal"),
                  rs.getBytes("hash"),
                  rs.getString("description"),
                  Instant.ofEpochMilli(rs.getLong("created_at")),
                  Instant.ofEpochMilli(rs.getLong("expires_at")),
                  revoked == null ? null : Instant.ofEpochMilli(revoked));
            })
        .stream()
        .findFirst();
  }

  @Override
  public boolean revoke(String tenant, String principal, String id, Instant at) {
    return db.update(
            "UPDATE tokens SET revoked_at = ? WHERE id = ? AND tenant = ? AND principal = ?"
                + " AND revoked_at IS NULL",
            ps -> {
              ps.setLong(1, at.toEpochMilli());
              ps.setString(2, id);
              ps.setString(3, tenant);
              ps.setString(4, principal);
            })
        == 1;
  }
}
