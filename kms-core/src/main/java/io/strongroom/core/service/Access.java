package io.strongroom.core.service;

import io.strongroom.core.Caller;
import io.strongroom.core.KmsException;
import io.strongroom.core.Role;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The authorization rules, in one place. A principal acts only inside its own tenant: a request for
 * another tenant's resource fails exactly as if the resource did not exist, so tenants cannot probe
 * each other. Inside its tenant, a principal needs one of the operation's roles.
 */
final class Access {
  private Access() {}

  /**
   * @param missing the NOT_FOUND message that a missing resource would produce
   * @throws KmsException NOT_FOUND for a foreign tenant, PERMISSION_DENIED for a missing role
   */
  static void require(Caller caller, String tenant, String missing, String op, Role... anyOf) {
    if (!caller.tenant().equals(tenant)) {
      throw KmsException.notFound(missing);
    }
    requireRole(caller, op, anyOf);
  }

  /** Platform admins anywhere, tenant admins in their own tenant. */
  static void requireAdminOf(Caller caller, String tenant, String missing, String op) {
    if (caller.has(Role.PLATFORM_ADMIN)) {
      return;
    }
    require(caller, tenant, missing, op, Role.TENANT_ADMIN);
  }

  static void requireRole(Caller caller, String op, Role... anyOf) {
    for (Role r : anyOf) {
      if (caller.has(r)) {
        return;
      }
    }
    throw KmsException.permissionDenied(
        op
            + " needs one of the roles "
            + Arrays.stream(anyOf).map(Role::wireName).collect(Collectors.joining(", ")));
  }

  static String keyMissing(String tenant, String key) {
    return "key '" + key + "' not found in tenant '" + tenant + "'";
  }

  static String tenantMissing(String tenant) {
    return "tenant '" + tenant + "' not found";
  }
}
