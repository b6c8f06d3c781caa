package io.strongroom.core.custody;

import io.strongroom.core.KmsException;
import io.strongroom.core.ProtectionLevel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The custodians this server is configured with, one per protection level. */
public final class Custodians {
  private final Map<ProtectionLevel, KeyCustodian> byLevel = new EnumMap<>(ProtectionLevel.class);

  public Custodians(Iterable<KeyCustodian> custodians) {
    for (KeyCustodian c : custodians) {
      if (byLevel.put(c.protection(), c) != null) {
        throw new IllegalArgumentException("two custodians for " + c.protection());
      }
    }
  }

  /**
   * @throws KmsException FAILED_PRECONDITION when no custodian serves {@code level} here
   */
  public KeyCustodian forLevel(ProtectionLevel level) {
    KeyCustodian c = byLevel.get(level);
    if (c == null) {
      throw KmsException.failedPrecondition(
          "protection level " + level + " is not configured on this server");
    }
    return c;
  }

  public Map<ProtectionLevel, KeyCustodian> all() {
    return Map.copyOf(byLevel);
  }

  /** {@link KeyCustodian#keepResources} of every custodian, closed together. */
  public KeyCustodian.Scope keepResources() {
    List<KeyCustodian.Scope> scopes = new ArrayList<>(byLevel.size());
    for (KeyCustodian c : byLevel.values()) {
      scopes.add(c.keepResources());
    }
    return () -> scopes.forEach(KeyCustodian.Scope::close);
  }
}
