package io.strongroom.server.store;

import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.store.SettingStore;
import io.strongroom.core.store.Stores;

/** Wires every JDBC store over one {@link Database}. */
public final class JdbcStores {
  private JdbcStores() {}

  /** The settings store alone, needed before the audit key (and so the audit log) exists. */
  public static SettingStore settings(Database db) {
    return new JdbcSettingStore(db);
  }

  public static Stores create(Database db, AuditChain chain) {
    return new Stores(
        new JdbcTenantStore(db),
        new JdbcPrincipalStore(db),
        new JdbcTokenStore(db),
        new JdbcKeyStore(db),
        new JdbcSettingStore(db),
        new JdbcAuditLog(db, chain),
        db::ping);
  }
}
