package io.strongroom.core;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A tenant: the unit of isolation. Every stored row and every check is scoped by tenant name.
 *
 * @param name immutable identifier, {@code [a-z0-9][a-z0-9-]{0,62}}
 */
public record Tenant(String name, String description, Instant createdAt) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** The tenant that holds the platform administrators. */
  public static final String SYSTEM = "system";

  /**
   * @throws KmsException INVALID_ARGUMENT when the name is malformed
   */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw KmsException.invalidArgument(
          "tenant name must match [a-z0-9][a-z0-9-]{0,62} (lower-case letters, digits, '-')");
    }
    return name;
  }
}
