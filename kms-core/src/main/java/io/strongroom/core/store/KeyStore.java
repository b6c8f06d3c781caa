package io.strongroom.core.store;

import io.strongroom.core.Key;
import io.strongroom.core.KeyRing;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Keys and their versions, scoped by tenant, saved with compare-and-set on the key revision. */
public interface KeyStore {
  /**
   * Inserts a new key with its versions; the key's revision is stored as given (1).
   *
   * @throws io.strongroom.core.KmsException ALREADY_EXISTS when the tenant has a key of that name
   */
  void create(KeyRing ring);

  Optional<KeyRing> findByName(String tenant, String name);

  Optional<KeyRing> findById(String tenant, String id);

  /** Up to {@code limit} keys of the tenant with names after {@code afterName}, by name. */
  List<Key> list(String tenant, String afterName, int limit);

  /**
   * Saves {@code update.ring().key()} with revision {@code expectedRevision + 1} if the stored
   * revision is {@code expectedRevision}, and inserts or replaces the changed versions, atomically.
   *
   * @return the saved ring, with its new revision
   * @throws io.strongroom.core.KmsException CONFLICT when the stored revision differs
   */
  KeyRing update(KeyRing.Update update, long expectedRevision);

  /** Tenant and id of keys with a key or version destroy due at or before {@code now}. */
  List<KeyRef> destroyDue(Instant now, int limit);

  /** Identifies a key across tenants. */
  record KeyRef(String tenant, String id) {}
}
