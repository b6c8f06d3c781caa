package io.strongroom.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strongroom.core.Key;
import io.strongroom.core.KeyRing;
import io.strongroom.core.KeyState;
import io.strongroom.core.KeyVersion;
import io.strongroom.core.KmsException;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.custody.VersionRef;
import io.strongroom.core.store.KeyStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keys and versions over JDBC. An update writes the key row only if its revision is still the
 * expected one, and the changed versions, in one transaction.
 */
public final class JdbcKeyStore implements KeyStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};
  private static final String KEY_COLUMNS =
      "tenant, id, name, protection, state, rotation_period_seconds, next_rotation_at,"
          + " description, labels, primary_version, latest_version, min_encrypt_version,"
          + " min_decrypt_version, destroy_at, revision, created_at, updated_at";

  private final Database db;

  public JdbcKeyStore(Database db) {
    this.db = db;
  }

  @Override
  public void create(KeyRing ring) {
    db.inTransaction(
        c -> {
          Key k = ring.key();
          Database.update(
              c,
              "INSERT INTO kms_keys ("
                  + KEY_COLUMNS
                  + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              ps -> {
                ps.setString(1, k.tenant());
                ps.setString(2, k.id());
                ps.setString(3, k.name());
                ps.setString(4, k.protection().name());
                ps.setString(5, k.state().name());
                setNullableLong(
                    ps, 6, k.rotationPeriod() == null ? null : k.rotationPeriod().toSeconds());
                setNullableInstant(ps, 7, k.nextRotationAt());
                ps.setString(8, k.description());
                ps.setString(9, labels(k.labels()));
                ps.setInt(10, k.primaryVersion());
                ps.setInt(11, k.latestVersion());
                ps.setInt(12, k.minEncryptVersion());
                ps.setInt(13, k.minDecryptVersion());
                setNullableInstant(ps, 14, k.destroyAt());
                ps.setLong(15, k.revision());
                ps.setLong(16, k.createdAt().toEpochMilli());
                ps.setLong(17, k.updatedAt().toEpochMilli());
              });
          for (KeyVersion v : ring.versions()) {
            insertVersion(c, k, v);
          }
          return null;
        });
  }

  @Override
  public Optional<KeyRing> findByName(String tenant, String name) {
    return find("name", tenant, name);
  }

  @Override
  public Optional<KeyRing> findById(String tenant, String id) {
    return find("id", tenant, id);
  }

  private Optional<KeyRing> find(String column, String tenant, String value) {
    return db.withConnection(
        c -> {
          List<Key> keys =
              Database.query(
                  c,
                  "SELECT "
                      + KEY_COLUMNS
                      + " FROM kms_keys WHERE tenant = ? AND "
                      + column
                      + " = ?",
                  ps -> {
                    ps.setString(1, tenant);
                    ps.setString(2, value);
                  },
                  JdbcKeyStore::key);
          if (keys.isEmpty()) {
            return Optional.empty();
          }
          Key k = keys.get(0);
          List<KeyVersion> versions =
              Database.query(
                  c,
                  "SELECT version, state, protection, material, created_at, destroy_at"
                      + " FROM key_versions WHERE tenant = ? AND key_id = ? ORDER BY version",
                  ps -> {
                    ps.setString(1, tenant);
                    ps.setString(2, k.id());
                  },
                  rs ->
                      new KeyVersion(
                          rs.getInt(1),
                          KeyState.valueOf(rs.getString(2)),
                          ProtectionLevel.valueOf(rs.getString(3)),
                          rs.getBytes(4),
                          Instant.ofEpochMilli(rs.getLong(5)),
                          instant(Database.getLong(rs, "destroy_at"))));
          return Optional.of(new KeyRing(k, versions));
        });
  }

  @Override
  public List<Key> list(String tenant, String afterName, int limit) {
    return db.query(
        "SELECT "
            + KEY_COLUMNS
            + " FROM kms_keys WHERE tenant = ? AND name > ? ORDER BY name LIMIT ?",
        ps -> {
          ps.setString(1, tenant);
          ps.setString(2, afterName == null ? "" : afterName);
          ps.setInt(3, limit);
        },
        JdbcKeyStore::key);
  }

  @Override
  public KeyRing update(KeyRing.Update update, long expectedRevision) {
    Key k = update.ring().key().withRevision(expectedRevision + 1);
    db.inTransaction(
        c -> {
          int n =
              Database.update(
                  c,
                  "UPDATE kms_keys SET state = ?, rotation_period_seconds = ?,"
                      + " next_rotation_at = ?, description = ?, labels = ?, primary_version = ?,"
                      + " latest_version = ?, min_encrypt_version = ?, min_decrypt_version = ?,"
                      + " destroy_at = ?, revision = ?, updated_at = ?"
                      + " WHERE tenant = ? AND id = ? AND revision = ?",
                  ps -> {
                    ps.setString(1, k.state().name());
                    setNullableLong(
                        ps, 2, k.rotationPeriod() == null ? null : k.rotationPeriod().toSeconds());
                    setNullableInstant(ps, 3, k.nextRotationAt());
                    ps.setString(4, k.description());
                    ps.setString(5, labels(k.labels()));
                    ps.setInt(6, k.primaryVersion());
                    ps.setInt(7, k.latestVersion());
                    ps.setInt(8, k.minEncryptVersion());
                    ps.setInt(9, k.minDecryptVersion());
                    setNullableInstant(ps, 10, k.destroyAt());
                    ps.setLong(11, k.revision());
                    ps.setLong(12, k.updatedAt().toEpochMilli());
                    ps.setString(13, k.tenant());
                    ps.setString(14, k.id());
                    ps.setLong(15, expectedRevision);
                  });
          if (n != 1) {
            throw KmsException.conflict(
                "key '"
                    + k.name()
                    + "' changed concurrently (revision is no longer "
                    + expectedRevision
                    + ")");
          }
          for (KeyVersion v : update.changed()) {
            int u =
                Database.update(
                    c,
                    // material is only ever cleared here (destroyed), never replaced
                    "UPDATE key_versions SET state = ?,"
                        + " material = CASE WHEN ? THEN NULL ELSE material END, destroy_at = ?"
                        + " WHERE tenant = ? AND key_id = ? AND version = ?",
                    ps -> {
                      ps.setString(1, v.state().name());
                      ps.setBoolean(2, v.material() == null);
                      setNullableInstant(ps, 3, v.destroyAt());
                      ps.setString(4, k.tenant());
                      ps.setString(5, k.id());
                      ps.setInt(6, v.number());
                    });
            if (u == 0) {
              insertVersion(c, k, v);
            }
          }
          return null;
        });
    return new KeyRing(k, update.ring().versions());
  }

  @Override
  public List<KeyRef> destroyDue(Instant now, int limit) {
    long t = now.toEpochMilli();
    return db.query(
        "SELECT tenant, id FROM kms_keys WHERE state = 'DESTROY_SCHEDULED' AND destroy_at <= ?"
            + " UNION SELECT tenant, key_id FROM key_versions"
            + " WHERE state = 'DESTROY_SCHEDULED' AND destroy_at <= ? LIMIT ?",
        ps -> {
          ps.setLong(1, t);
          ps.setLong(2, t);
          ps.setInt(3, limit);
        },
        rs -> new KeyRef(rs.getString(1), rs.getString(2)));
  }

  @Override
  public List<StoredVersion> scanVersions(ProtectionLevel protection, VersionRef after, int limit) {
    // Keyset paging on the primary key (tenant, key_id, version), spelled out without row-value
    // comparison so that the same statement runs on H2 and PostgreSQL.
    String sql =
        "SELECT tenant, key_id, version, state, protection, material, created_at, destroy_at"
            + " FROM key_versions WHERE protection = ? AND material IS NOT NULL"
            + (after == null
                ? ""
                : " AND (tenant > ? OR (tenant = ? AND (key_id > ?"
                    + " OR (key_id = ? AND version > ?))))")
            + " ORDER BY tenant, key_id, version LIMIT ?";
    return db.query(
        sql,
        ps -> {
          int i = 1;
          ps.setString(i++, protection.name());
          if (after != null) {
            ps.setString(i++, after.tenant());
            ps.setString(i++, after.tenant());
            ps.setString(i++, after.keyId());
            ps.setString(i++, after.keyId());
            ps.setInt(i++, after.version());
          }
          ps.setInt(i, limit);
        },
        rs ->
            new StoredVersion(
                new VersionRef(rs.getString(1), rs.getString(2), rs.getInt(3)),
                new KeyVersion(
                    rs.getInt(3),
                    KeyState.valueOf(rs.getString(4)),
                    ProtectionLevel.valueOf(rs.getString(5)),
                    rs.getBytes(6),
                    Instant.ofEpochMilli(rs.getLong(7)),
                    instant(Database.getLong(rs, "destroy_at")))));
  }

  @Override
  public boolean replaceMaterial(VersionRef ref, byte[] expected, byte[] replacement) {
    return db.update(
            "UPDATE key_versions SET material = ?"
                + " WHERE tenant = ? AND key_id = ? AND version = ? AND material = ?",
            ps -> {
              ps.setBytes(1, replacement);
              ps.setString(2, ref.tenant());
              ps.setString(3, ref.keyId());
              ps.setInt(4, ref.version());
              ps.setBytes(5, expected);
            })
        == 1;
  }

  private static void insertVersion(Connection c, Key k, KeyVersion v) throws SQLException {
    Database.update(
        c,
        "INSERT INTO key_versions (tenant, key_id, version, state, protection, material,"
            + " created_at, destroy_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ps -> {
          ps.setString(1, k.tenant());
          ps.setString(2, k.id());
          ps.setInt(3, v.number());
          ps.setString(4, v.state().name());
          ps.setString(5, v.protection().name());
          ps.setBytes(6, v.material());
          ps.setLong(7, v.createdAt().toEpochMilli());
          setNullableInstant(ps, 8, v.destroyAt());
        });
  }

  private static Key key(ResultSet rs) throws SQLException {
    Long period = Database.getLong(rs, "rotation_period_seconds");
    return new Key(
        rs.getString("tenant"),
        rs.getString("id"),
        rs.getString("name"),
        ProtectionLevel.valueOf(rs.getString("protection")),
        KeyState.valueOf(rs.getString("state")),
        period == null ? null : Duration.ofSeconds(period),
        instant(Database.getLong(rs, "next_rotation_at")),
        rs.getString("description"),
        labels(rs.getString("labels")),
        rs.getInt("primary_version"),
        rs.getInt("latest_version"),
        rs.getInt("min_encrypt_version"),
        rs.getInt("min_decrypt_version"),
        instant(Database.getLong(rs, "destroy_at")),
        rs.getLong("revision"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")));
  }

  private static String labels(Map<String, String> labels) {
    try {
      return JSON.writeValueAsString(labels);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> labels(String json) throws SQLException {
    try {
      return JSON.readValue(json, LABELS);
    } catch (JsonProcessingException e) {
      throw new SQLException("stored labels are not valid JSON", "22000", e);
    }
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  private static void setNullableLong(java.sql.PreparedStatement ps, int i, Long v)
      throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, v);
    }
  }

  private static void setNullableInstant(java.sql.PreparedStatement ps, int i, Instant v)
      throws SQLException {
    setNullableLong(ps, i, v == null ? null : v.toEpochMilli());
  }
}
