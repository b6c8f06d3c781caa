package io.strongroom.core.service;

import io.strongroom.core.Caller;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.Key;
import io.strongroom.core.KeyPatch;
import io.strongroom.core.KeyRing;
import io.strongroom.core.KeyState;
import io.strongroom.core.KeyVersion;
import io.strongroom.core.KmsException;
import io.strongroom.core.Page;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.Role;
import io.strongroom.core.custody.Custodians;
import io.strongroom.core.custody.KeyCustodian;
import io.strongroom.core.custody.VersionRef;
import io.strongroom.core.store.KeyStore;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Key management use cases: create, read, list, update, lifecycle and versions. Synchronous and
 * blocking (store and custodian calls); callers run it off any event loop.
 */
public final class KeyService {
  private static final Logger LOG = Logger.getLogger(KeyService.class.getName());
  private static final int MAX_CAS_ATTEMPTS = 5;
  private static final Role[] READERS = {
    Role.KEY_ADMIN, Role.KEY_USER, Role.TENANT_ADMIN, Role.AUDITOR
  };

  private final KeyStore store;
  private final KeyRingCache cache;
  private final Custodians custodians;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public KeyService(KeyStore store, KeyRingCache cache, Custodians custodians, Clock clock) {
    this.store = store;
    this.cache = cache;
    this.custodians = custodians;
    this.clock = clock;
  }

  /**
   * Creates a key with its first version, primary and enabled.
   *
   * @throws KmsException INVALID_ARGUMENT, ALREADY_EXISTS, FAILED_PRECONDITION (protection level
   *     not configured), PERMISSION_DENIED, NOT_FOUND (foreign tenant), UNAVAILABLE
   */
  public KeyRing create(Caller caller, String tenant, NewKey req) {
    Key.checkName(req.name());
    Access.require(caller, tenant, Access.tenantMissing(tenant), "create-key", Role.KEY_ADMIN);
    if (req.protection() == null) {
      throw KmsException.invalidArgument("protection is required: SOFTWARE, HSM or EXTERNAL");
    }
    // Validate every setting before the custodian makes material: an object made for a request
    // that then fails validation would be orphaned (for HSM, a token object nobody can find).
    Key.checkDescription(req.description());
    Key.checkLabels(req.labels());
    if (req.rotationPeriod() != null) {
      Key.checkRotationPeriod(req.rotationPeriod());
    }
    KeyCustodian custodian = custodians.forLevel(req.protection());
    if (store.findByName(tenant, req.name()).isPresent()) {
      throw alreadyExists(tenant, req.name());
    }
    Instant now = clock.instant();
    byte[] idBytes = new byte[16];
    random.nextBytes(idBytes);
    String id = HexFormat.of().formatHex(idBytes);
    VersionRef ref = new VersionRef(tenant, id, 1);
    KeyVersion first =
        new KeyVersion(
            1, KeyState.ENABLED, req.protection(), createMaterial(custodian, ref), now, null);
    Key key =
        new Key(
            tenant,
            id,
            req.name(),
            req.protection(),
            KeyState.ENABLED,
            req.rotationPeriod(),
            req.rotationPeriod() == null ? null : now.plus(req.rotationPeriod()),
            req.description(),
            req.labels(),
            1,
            1,
            1,
            1,
            null,
            1,
            now,
            now);
    KeyRing ring = new KeyRing(key, List.of(first));
    try {
      store.create(ring);
    } catch (KmsException e) {
      // Only a refused save certainly left the material unused; after UNAVAILABLE the row may
      // have been written, and destroying its material would break the key.
      if (e.code() == ErrorCode.ALREADY_EXISTS) {
        shredQuietly(custodian, ref, first.material());
        throw alreadyExists(tenant, req.name());
      }
      throw e;
    }
    cache.invalidate(ring);
    return ring;
  }

  /**
   * @throws KmsException NOT_FOUND, PERMISSION_DENIED
   */
  public KeyRing get(Caller caller, String tenant, String name) {
    Access.require(caller, tenant, Access.keyMissing(tenant, name), "get-key", READERS);
    return load(tenant, name);
  }

  /**
   * @throws KmsException NOT_FOUND (foreign tenant), PERMISSION_DENIED, INVALID_ARGUMENT
   */
  public Page<Key> list(Caller caller, String tenant, Integer pageSize, String pageToken) {
    Access.require(caller, tenant, Access.tenantMissing(tenant), "list-keys", READERS);
    int size = PageTokens.pageSize(pageSize);
    return PageTokens.page(
        store.list(tenant, PageTokens.decode(pageToken), size + 1), size, Key::name);
  }

  /**
   * @throws KmsException NOT_FOUND (key or version), PERMISSION_DENIED
   */
  public KeyVersion getVersion(Caller caller, String tenant, String name, int version) {
    KeyRing ring = get(caller, tenant, name);
    return ring.version(version)
        .orElseThrow(() -> KmsException.notFound("key '" + name + "' has no version " + version));
  }

  /** Applies a settings change. */
  public KeyRing update(
      Caller caller, String tenant, String name, OptionalLong ifMatch, KeyPatch patch) {
    if (patch.labels() != null) {
      Key.checkLabels(patch.labels());
    }
    return mutate(
        caller, tenant, name, ifMatch, "update-key", r -> r.patch(patch, clock.instant()));
  }

  public KeyRing enable(Caller caller, String tenant, String name, OptionalLong ifMatch) {
    return mutate(caller, tenant, name, ifMatch, "enable-key", r -> r.enable(clock.instant()));
  }

  public KeyRing disable(Caller caller, String tenant, String name, OptionalLong ifMatch) {
    return mutate(caller, tenant, name, ifMatch, "disable-key", r -> r.disable(clock.instant()));
  }

  public KeyRing scheduleDestroy(
      Caller caller, String tenant, String name, OptionalLong ifMatch, int pendingDays) {
    return mutate(
        caller,
        tenant,
        name,
        ifMatch,
        "schedule-destroy-key",
        r -> r.scheduleDestroy(pendingDays, clock.instant()));
  }

  public KeyRing cancelDestroy(Caller caller, String tenant, String name, OptionalLong ifMatch) {
    return mutate(
        caller, tenant, name, ifMatch, "cancel-destroy-key", r -> r.cancelDestroy(clock.instant()));
  }

  /** Creates a new version in the key's custodian and makes it primary. */
  public KeyRing rotate(Caller caller, String tenant, String name, OptionalLong ifMatch) {
    return mutate(caller, tenant, name, ifMatch, "rotate-key", this::rotateRing);
  }

  public KeyRing enableVersion(
      Caller caller, String tenant, String name, int version, OptionalLong ifMatch) {
    return mutate(
        caller,
        tenant,
        name,
        ifMatch,
        "enable-version",
        r -> r.enableVersion(version, clock.instant()));
  }

  public KeyRing disableVersion(
      Caller caller, String tenant, String name, int version, OptionalLong ifMatch) {
    return mutate(
        caller,
        tenant,
        name,
        ifMatch,
        "disable-version",
        r -> r.disableVersion(version, clock.instant()));
  }

  public KeyRing makePrimary(
      Caller caller, String tenant, String name, int version, OptionalLong ifMatch) {
    return mutate(
        caller,
        tenant,
        name,
        ifMatch,
        "make-primary",
        r -> r.makePrimary(version, clock.instant()));
  }

  public KeyRing scheduleDestroyVersion(
      Caller caller, String tenant, String name, int version, OptionalLong ifMatch, int days) {
    return mutate(
        caller,
        tenant,
        name,
        ifMatch,
        "schedule-destroy-version",
        r -> r.scheduleDestroyVersion(version, days, clock.instant()));
  }

  public KeyRing cancelDestroyVersion(
      Caller caller, String tenant, String name, int version, OptionalLong ifMatch) {
    return mutate(
        caller,
        tenant,
        name,
        ifMatch,
        "cancel-destroy-version",
        r -> r.cancelDestroyVersion(version, clock.instant()));
  }

  /**
   * What {@link #destroyDue} destroyed: one version, or (version null) the key itself, whose whole
   * pending window had passed.
   */
  public record Destroyed(String tenant, String key, Integer version) {}

  /**
   * What one {@link #destroyDue} run did.
   *
   * @param destroyed the versions destroyed, in order
   * @param failures one message per key that could not be destroyed this time (it is tried again by
   *     the next run); never key material
   */
  public record DestroyRun(List<Destroyed> destroyed, List<String> failures) {
    public DestroyRun {
      destroyed = List.copyOf(destroyed);
      failures = List.copyOf(failures);
    }
  }

  /**
   * Destroys every key and version whose pending window has passed: for each key, {@code
   * beforeDestroying} is first given what is about to be destroyed (the server writes its audit
   * records there, durably, so that no destruction goes unrecorded), then the custodian deletes the
   * material (idempotently), then the store forgets it. Run by the server's scheduler; safe to run
   * on several nodes at once (compare-and-set saves). A key that fails (its custodian or the store
   * unavailable, or {@code beforeDestroying} throwing a {@link KmsException}) does not stop the
   * others and keeps its material; it is due again at the next run, which announces it again.
   */
  public DestroyRun destroyDue(Consumer<List<Destroyed>> beforeDestroying) {
    Instant now = clock.instant();
    List<Destroyed> destroyed = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (KeyStore.KeyRef ref : store.destroyDue(now, 1000)) {
      try {
        destroyed.addAll(destroyDue(ref, now, beforeDestroying));
      } catch (KmsException e) {
        failures.add(ref.tenant() + "/" + ref.id() + ": " + e.code() + " " + e.getMessage());
      }
    }
    return new DestroyRun(destroyed, failures);
  }

  private List<Destroyed> destroyDue(
      KeyStore.KeyRef ref, Instant now, Consumer<List<Destroyed>> beforeDestroying) {
    for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      KeyRing ring = store.findById(ref.tenant(), ref.id()).orElse(null);
      if (ring == null) {
        return List.of();
      }
      KeyRing.Update u = ring.destroyDue(now);
      if (u.shredded().isEmpty() && u.ring().key().state() == ring.key().state()) {
        return List.of();
      }
      List<Destroyed> due = new ArrayList<>();
      for (KeyVersion v : u.shredded()) {
        due.add(new Destroyed(ref.tenant(), ring.key().name(), v.number()));
      }
      if (u.ring().key().state() == KeyState.DESTROYED
          && ring.key().state() != KeyState.DESTROYED) {
        due.add(new Destroyed(ref.tenant(), ring.key().name(), null));
      }
      beforeDestroying.accept(List.copyOf(due));
      for (KeyVersion v : u.shredded()) {
        VersionRef vr = new VersionRef(ref.tenant(), ref.id(), v.number());
        try {
          custodians.forLevel(v.protection()).destroyVersion(vr, v.material());
        } catch (GeneralSecurityException e) {
          throw new KmsException(ErrorCode.INTERNAL, "custodian failed to destroy a version", e);
        }
      }
      try {
        cache.invalidate(store.update(u, ring.key().revision()));
        return due;
      } catch (KmsException e) {
        if (e.code() != ErrorCode.CONFLICT) {
          throw e;
        }
      }
    }
    return List.of();
  }

  private KeyRing.Update rotateRing(KeyRing ring) {
    ProtectionLevel level = ring.key().protection();
    KeyCustodian custodian = custodians.forLevel(level);
    int number = ring.nextVersionNumber();
    VersionRef ref = new VersionRef(ring.key().tenant(), ring.key().id(), number);
    Instant now = clock.instant();
    KeyVersion fresh =
        new KeyVersion(number, KeyState.ENABLED, level, createMaterial(custodian, ref), now, null);
    try {
      return ring.rotate(fresh, now);
    } catch (RuntimeException e) {
      // the key may not rotate in its state: the new material must not be orphaned
      shredQuietly(custodian, ref, fresh.material());
      throw e;
    }
  }

  private KeyRing mutate(
      Caller caller,
      String tenant,
      String name,
      OptionalLong ifMatch,
      String op,
      Function<KeyRing, KeyRing.Update> change) {
    Access.require(caller, tenant, Access.keyMissing(tenant, name), op, Role.KEY_ADMIN);
    for (int attempt = 1; ; attempt++) {
      KeyRing ring = load(tenant, name);
      if (ifMatch.isPresent() && ifMatch.getAsLong() != ring.key().revision()) {
        throw KmsException.conflict(
            "key '"
                + name
                + "' is at revision "
                + ring.key().revision()
                + ", not "
                + ifMatch.getAsLong());
      }
      KeyRing.Update u = change.apply(ring);
      try {
        KeyRing saved = store.update(u, ring.key().revision());
        cache.invalidate(saved);
        return saved;
      } catch (KmsException e) {
        if (e.code() == ErrorCode.CONFLICT) {
          forgetNewVersions(ring, u); // the save was refused: new material is unused
        }
        if (e.code() != ErrorCode.CONFLICT || ifMatch.isPresent() || attempt >= MAX_CAS_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private void forgetNewVersions(KeyRing before, KeyRing.Update u) {
    for (KeyVersion v : u.changed()) {
      if (v.number() > before.key().latestVersion()) {
        shredQuietly(
            custodians.forLevel(v.protection()),
            new VersionRef(before.key().tenant(), before.key().id(), v.number()),
            v.material());
      }
    }
  }

  private KeyRing load(String tenant, String name) {
    return store
        .findByName(tenant, name)
        .orElseThrow(() -> KmsException.notFound(Access.keyMissing(tenant, name)));
  }

  private static byte[] createMaterial(KeyCustodian custodian, VersionRef ref) {
    try {
      return custodian.createVersion(ref);
    } catch (GeneralSecurityException e) {
      throw new KmsException(ErrorCode.INTERNAL, "custodian failed to create key material", e);
    }
  }

  private static void shredQuietly(KeyCustodian custodian, VersionRef ref, byte[] stored) {
    try {
      custodian.destroyVersion(ref, stored);
    } catch (GeneralSecurityException | RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "could not destroy unused material of {0}: {1}",
          new Object[] {ref, e.getMessage()});
    }
  }

  private static KmsException alreadyExists(String tenant, String name) {
    return new KmsException(
        ErrorCode.ALREADY_EXISTS, "key '" + name + "' already exists in tenant '" + tenant + "'");
  }
}
