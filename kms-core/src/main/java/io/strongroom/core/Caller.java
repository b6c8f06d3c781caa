package io.strongroom.core;

import java.util.Set;

/**
 * An authenticated principal acting on a request.
 *
 * @param tenant the tenant the principal belongs to; it acts only inside it (platform admins
 *     additionally manage tenants and their principals)
 * @param principal the principal's name, unique within the tenant
 * @param roles roles held in the tenant
 */
public record Caller(String tenant, String principal, Set<Role> roles) {
  public Caller {
    roles = Set.copyOf(roles);
  }

  public boolean has(Role role) {
    return roles.contains(role);
  }

  /** A readable identity for audit records: {@code tenant/principal}. */
  public String id() {
    return tenant + "/" + principal;
  }
}
