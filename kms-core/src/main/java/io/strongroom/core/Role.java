package io.strongroom.core;

import java.util.Locale;

/** Roles a principal holds inside its tenant. Names on the wire are the lower-case forms. */
public enum Role {
  /** Manages tenants, principals of any tenant, and verifies the audit chain. */
  PLATFORM_ADMIN,
  /** Manages the principals and tokens of its tenant; reads key metadata and audit. */
  TENANT_ADMIN,
  /** Creates keys and changes their configuration and lifecycle; no cryptographic use. */
  KEY_ADMIN,
  /** Uses keys: encrypt, decrypt, generate data keys, re-encrypt; reads key metadata. */
  KEY_USER,
  /** Reads the audit log and key metadata of its tenant. */
  AUDITOR;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * @throws KmsException INVALID_ARGUMENT naming the allowed values
   */
  public static Role fromWire(String name) {
    for (Role r : values()) {
      if (r.wireName().equals(name)) {
        return r;
      }
    }
    throw KmsException.invalidArgument(
        "unknown role '"
            + name
            + "'; allowed: platform-admin, tenant-admin, key-admin, key-user, auditor");
  }
}
