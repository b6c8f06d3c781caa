package io.strongroom.core.store;

import io.strongroom.core.audit.AuditLog;

/** The persistence ports the use cases need, as one wiring unit. */
public record Stores(
    TenantStore tenants,
    PrincipalStore principals,
    TokenStore tokens,
    KeyStore keys,
    SettingStore settings,
    AuditLog audit,
    Runnable healthCheck) {}
