package io.strongroom.server.store;

import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import io.strongroom.core.store.SettingStore;
import java.util.Optional;

/** Named deployment-wide values over JDBC. */
public final class JdbcSettingStore implements SettingStore {
  private final Database db;

  public JdbcSettingStore(Database db) {
    this.db = db;
  }

  @Override
  public Optional<byte[]> get(String name) {
    return db
        .query(
            "SELECT setting_value FROM settings WHERE name = ?",
            ps -> ps.setString(1, name),
            rs -> rs.getBytes(1))
        .stream()
        .findFirst();
  }

  @Override
  public byte[] putIfAbsent(String name, byte[] value) {
    try {
      db.update(
          "INSERT INTO settings (name, setting_value) VALUES (?, ?)",
          ps -> {
            ps.setString(1, name);
            ps.setBytes(2, value);
          });
      return value.clone();
    } catch (KmsException e) {
      if (e.code() != ErrorCode.ALREADY_EXISTS) {
        throw e;
      }
      return get(name).orElseThrow(() -> e);
    }
  }

  @Override
  public boolean replace(String name, byte[] expected, byte[] replacement) {
    return db.update(
            "UPDATE settings SET setting_value = ? WHERE name = ? AND setting_value = ?",
            ps -> {
              ps.setBytes(1, replacement);
              ps.setString(2, name);
              ps.setBytes(3, expected);
            })
        == 1;
  }
}
