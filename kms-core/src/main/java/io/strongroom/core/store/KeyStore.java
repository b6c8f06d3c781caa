package io.strongroom.core.store;

import io.strongroom.core.Key;
import io.strongroom.core.KeyRing;
import io.strongroom.core.KeyVersion;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.custody.VersionRef;
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
   * The stored material of an existing version is never replaced here, only cleared when the
   * version is destroyed (its material is null): material changes only through {@link
   * #replaceMaterial}, so a node that read a version before a root key migration cannot write the
   * old wrapping back.
   *
   * @return the saved ring, with its new revision
   * @throws io.strongroom.core.KmsException CONFLICT when the stored revision differs
   */
  KeyRing update(KeyRing.Update update, long expectedRevision);

  /** Tenant and id of keys with a key or version destroy due at or before {@code now}. */
  List<KeyRef> destroyDue(Instant now, int limit);

  /**
   * Up to {@code limit} versions of protection level {@code protection}, across all tenants, that
   * still hold stored material (destroyed versions are left out), ordered by tenant, key id and
   * version, starting after {@code after} (exclusive; it need not exist; null: from the start).
   *
   * <p>Keyset paging: pass the last item's {@link StoredVersion#ref()} to get the next page. The
   * order depends only on (tenant, key id, version), which never change, so a scan that replaces
   * material as it goes (see {@link #replaceMaterial}) sees every version that existed throughout
   * exactly once. Deployment-wide work (moving to another root key) uses it; the hot path never.
   */
  List<StoredVersion> scanVersions(ProtectionLevel protection, VersionRef after, int limit);

  /**
   * Replaces the stored material of one version with {@code replacement} if it is still exactly
   * {@code expected} (compare-and-set on the stored bytes), atomically. Nothing else changes: not
   * the version's state, not the key row, not its revision. The caller must make sure {@code
   * replacement} is the same secret in another stored form (e.g. re-wrapped under a new root key),
   * so that caches holding the unwrapped material stay correct.
   *
   * @return true when it replaced; false when the version does not exist (in that tenant), has no
   *     material any more, or holds other bytes than {@code expected}
   */
  boolean replaceMaterial(VersionRef ref, byte[] expected, byte[] replacement);

  /** Identifies a key across tenants. */
  record KeyRef(String tenant, String id) {}

  /** A version found by {@link #scanVersions}, with the tenant and key it belongs to. */
  record StoredVersion(VersionRef ref, KeyVersion version) {}
}
