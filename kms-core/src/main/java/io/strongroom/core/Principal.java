package io.strongroom.core;

import java.time.Instant;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A principal (person or service) of a tenant with its roles.
 *
 * @param name unique within the tenant, {@code [A-Za-z0-9][A-Za-z0-9_.@-]{0,127}}
 */
public record Principal(String tenant, String name, Set<Role> roles, Instant createdAt) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}");

  public Principal {
    roles = Set.copyOf(roles);
  }

  public Caller asCaller() {
    return new Caller(tenant, name, roles);
  }

  /**
   * @throws KmsException INVALID_ARGUMENT when the name is malformed
   */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw KmsException.invalidArgument(
          "principal name must match [A-Za-z0-9][A-Za-z0-9_.@-]{0,127}");
    }
    return name;
  }
}
