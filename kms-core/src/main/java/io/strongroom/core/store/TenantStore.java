package io.strongroom.core.store;

import io.strongroom.core.Tenant;
import java.util.List;
import java.util.Optional;

/** Tenants. Implementations throw KmsException ALREADY_EXISTS / UNAVAILABLE as documented. */
public interface TenantStore {
  /**
   * @throws io.strongroom.core.KmsException ALREADY_EXISTS when the name is taken
   */
  void create(Tenant tenant);

  Optional<Tenant> find(String name);

  /** Up to {@code limit} tenants with names after {@code afterName} (null: from the start). */
  List<Tenant> list(String afterName, int limit);
}
