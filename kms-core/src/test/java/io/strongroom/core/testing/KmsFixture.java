package io.strongroom.core.testing;

import io.strongroom.core.Caller;
import io.strongroom.core.Role;
import io.strongroom.core.Tenant;
import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.custody.Custodians;
import io.strongroom.core.custody.KeyCustodian;
import io.strongroom.core.custody.RootKey;
import io.strongroom.core.custody.SoftwareKeyCustodian;
import io.strongroom.core.service.AuditService;
import io.strongroom.core.service.CryptoService;
import io.strongroom.core.service.IdentityService;
import io.strongroom.core.service.KeyRingCache;
import io.strongroom.core.service.KeyService;
import io.strongroom.core.store.Stores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The use cases wired as the server wires them, over {@link InMemoryStores}, a real {@link
 * SoftwareKeyCustodian} on the given root key, and a {@link MutableClock}.
 */
public record KmsFixture(
    MutableClock clock,
    AuditChain chain,
    Stores stores,
    SoftwareKeyCustodian software,
    Custodians custodians,
    KeyRingCache cache,
    KeyService keys,
    CryptoService crypto,
    IdentityService identity,
    AuditService audit) {

  /**
   * @param others custodians for other protection levels, e.g. a {@link FakeHsmCustodian}
   */
  public static KmsFixture create(RootKey root, KeyCustodian... others) {
    MutableClock clock = MutableClock.atDefaultStart();
    // a fixed, all-zero audit key: tests only
    AuditChain chain = new AuditChain(new byte[32]);
    Stores stores = InMemoryStores.create(chain);
    SoftwareKeyCustodian software = new SoftwareKeyCustodian(root, Duration.ofMinutes(5), 1000);
    List<KeyCustodian> all = new ArrayList<>(List.of(others));
    all.add(software);
    Custodians custodians = new Custodians(all);
    KeyRingCache cache = new KeyRingCache(stores.keys(), Duration.ofMinutes(1), 10_000);
    return new KmsFixture(
        clock,
        chain,
        stores,
        software,
        custodians,
        cache,
        new KeyService(stores.keys(), cache, custodians, clock),
        new CryptoService(cache, custodians),
        new IdentityService(
            stores.tenants(), stores.principals(), stores.tokens(), clock, Duration.ofMinutes(1)),
        new AuditService(stores.audit(), chain));
  }

  /** Creates a tenant directly in the store. */
  public KmsFixture withTenants(String... names) {
    for (String n : names) {
      stores.tenants().create(new Tenant(n, null, clock.instant()));
    }
    return this;
  }

  public static Caller caller(String tenant, String name, Role... roles) {
    return new Caller(tenant, name, Set.of(roles));
  }
}
