package io.strongroom.core.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.strongroom.core.Blocking;
import io.strongroom.core.KeyRing;
import io.strongroom.core.store.KeyStore;
import java.time.Duration;
import java.util.Optional;

/**
 * Bounded, short-lived cache of key rings for the hot path, by name and by id. Absent keys are
 * cached too, so a flood of lookups for unknown keys does not reach the database. Entries expire
 * after {@code ttl}, which bounds how long another node's change (a disable, a new floor) takes to
 * show here; changes made on this node invalidate immediately.
 */
public final class KeyRingCache {
  private record NameKey(String tenant, String name) {}

  private record IdKey(String tenant, String id) {}

  private final KeyStore store;
  private final Cache<NameKey, Optional<KeyRing>> byName;
  private final Cache<IdKey, Optional<KeyRing>> byId;

  public KeyRingCache(KeyStore store, Duration ttl, long maxEntries) {
    this.store = store;
    this.byName =
        Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maxEntries).recordStats().build();
    this.byId =
        Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maxEntries).recordStats().build();
  }

  public Optional<KeyRing> byName(String tenant, String name) {
    return Blocking.get(
        byName, new NameKey(tenant, name), k -> store.findByName(k.tenant(), k.name()));
  }

  public Optional<KeyRing> byId(String tenant, String id) {
    return Blocking.get(byId, new IdKey(tenant, id), k -> store.findById(k.tenant(), k.id()));
  }

  public void invalidate(KeyRing ring) {
    byName.invalidate(new NameKey(ring.key().tenant(), ring.key().name()));
    byId.invalidate(new IdKey(ring.key().tenant(), ring.key().id()));
  }

  public Cache<?, ?> byNameCache() {
    return byName;
  }

  public Cache<?, ?> byIdCache() {
    return byId;
  }
}
