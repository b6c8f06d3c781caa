package io.strongroom.core.store;

import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.testing.InMemoryStores;

/** The store contract against the in-memory fakes. */
class InMemoryStoresTest extends StoreContract {
  @Override
  protected Stores newStores(AuditChain chain) {
    return InMemoryStores.create(chain);
  }
}
