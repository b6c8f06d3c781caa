package io.strongroom.core.store;

import io.strongroom.core.Principal;
import java.util.Optional;

/** Principals, scoped by tenant. */
public interface PrincipalStore {
  /**
   * @throws io.strongroom.core.KmsException ALREADY_EXISTS when the name is taken in the tenant
   */
  void create(Principal principal);

  Optional<Principal> find(String tenant, String name);
}
