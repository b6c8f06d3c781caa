package io.strongroom.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A key with its versions: the aggregate whose rules decide what may be done with a key. Every
 * transition returns an {@link Update} naming the versions it changed, so a store can save the key
 * row and just those versions in one compare-and-set.
 *
 * <p>Lifecycle (for the key and for each version): ENABLED ⇄ DISABLED → DESTROY_SCHEDULED (7–30
 * days pending; cancel returns DISABLED) → DESTROYED (material gone, terminal).
 */
public record KeyRing(Key key, List<KeyVersion> versions) {
  public static final int MIN_PENDING_DAYS = 7;
  public static final int MAX_PENDING_DAYS = 30;

  public KeyRing {
    versions = versions.stream().sorted(Comparator.comparingInt(KeyVersion::number)).toList();
  }

  /** The outcome of a transition: the new ring and the versions that changed or were added. */
  public record Update(KeyRing ring, List<KeyVersion> changed, List<KeyVersion> shredded) {
    public Update {
      changed = List.copyOf(changed);
      shredded = List.copyOf(shredded);
    }
  }

  public Optional<KeyVersion> version(int number) {
    for (KeyVersion v : versions) {
      if (v.number() == number) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  /**
   * The version to encrypt with: the primary, if the key and it are enabled and it meets the
   * encrypt floor.
   *
   * @throws KmsException FAILED_PRECONDITION saying why the key cannot encrypt
   */
  public KeyVersion encryptVersion() {
    requireKeyEnabled();
    KeyVersion primary = version(key.primaryVersion()).orElseThrow();
    if (primary.state() != KeyState.ENABLED) {
      throw KmsException.failedPrecondition(
          "primary version "
              + primary.number()
              + " of key '"
              + key.name()
              + "' is "
              + primary.state());
    }
    if (primary.number() < key.minEncryptVersion()) {
      throw KmsException.failedPrecondition(
          "primary version is below the key's minimum encrypt version " + key.minEncryptVersion());
    }
    return primary;
  }

  /**
   * The version a blob names, if it may decrypt.
   *
   * @throws KmsException INVALID_CIPHERTEXT when no such version exists; FAILED_PRECONDITION when
   *     the key or version is not enabled or the version is below the decrypt floor
   */
  public KeyVersion decryptVersion(int number) {
    KeyVersion v = version(number).orElseThrow(KmsException::invalidCiphertext);
    requireKeyEnabled();
    if (v.state() != KeyState.ENABLED) {
      throw KmsException.failedPrecondition(
          "version " + number + " of key '" + key.name() + "' is " + v.state());
    }
    if (number < key.minDecryptVersion()) {
      throw KmsException.failedPrecondition(
          "version "
              + number
              + " of key '"
              + key.name()
              + "' is below the minimum decrypt version "
              + key.minDecryptVersion());
    }
    return v;
  }

  private void requireKeyEnabled() {
    if (key.state() != KeyState.ENABLED) {
      throw KmsException.failedPrecondition("key '" + key.name() + "' is " + key.state());
    }
  }

  // ---- key lifecycle ----

  /**
   * @throws KmsException FAILED_PRECONDITION unless the key is ENABLED or DISABLED
   */
  public Update enable(Instant now) {
    requireKeyState("enable", KeyState.ENABLED, KeyState.DISABLED);
    return keyOnly(key.with(KeyState.ENABLED, null, now));
  }

  /**
   * @throws KmsException FAILED_PRECONDITION unless the key is ENABLED or DISABLED
   */
  public Update disable(Instant now) {
    requireKeyState("disable", KeyState.ENABLED, KeyState.DISABLED);
    return keyOnly(key.with(KeyState.DISABLED, null, now));
  }

  /**
   * @throws KmsException INVALID_ARGUMENT for a pending window outside 7–30 days;
   *     FAILED_PRECONDITION unless the key is ENABLED or DISABLED
   */
  public Update scheduleDestroy(int pendingDays, Instant now) {
    checkPendingDays(pendingDays);
    requireKeyState("schedule-destroy", KeyState.ENABLED, KeyState.DISABLED);
    return keyOnly(
        key.with(KeyState.DESTROY_SCHEDULED, now.plus(Duration.ofDays(pendingDays)), now));
  }

  /**
   * @throws KmsException FAILED_PRECONDITION unless the key is DESTROY_SCHEDULED
   */
  public Update cancelDestroy(Instant now) {
    requireKeyState("cancel-destroy", KeyState.DESTROY_SCHEDULED);
    return keyOnly(key.with(KeyState.DISABLED, null, now));
  }

  /**
   * Adds a new ENABLED version and makes it primary.
   *
   * @param fresh the new version, numbered {@link #nextVersionNumber()}
   * @throws KmsException FAILED_PRECONDITION unless the key is ENABLED or DISABLED
   */
  public Update rotate(KeyVersion fresh, Instant now) {
    requireKeyState("rotate", KeyState.ENABLED, KeyState.DISABLED);
    if (fresh.number() != nextVersionNumber() || fresh.state() != KeyState.ENABLED) {
      throw new IllegalArgumentException("new version must be ENABLED and numbered next");
    }
    List<KeyVersion> all = new ArrayList<>(versions);
    all.add(fresh);
    Instant nextRotation = key.rotationPeriod() == null ? null : now.plus(key.rotationPeriod());
    Key k = key.withVersions(fresh.number(), fresh.number(), nextRotation, now);
    return new Update(new KeyRing(k, all), List.of(fresh), List.of());
  }

  public int nextVersionNumber() {
    return key.latestVersion() + 1;
  }

  /**
   * Destroys whatever is due at {@code now}: the whole key if its window has passed, else the
   * versions whose windows have passed. The returned {@code shredded} versions still carry their
   * stored material so that the custodian can delete it (e.g. an HSM object).
   */
  public Update destroyDue(Instant now) {
    boolean keyDue = key.state() == KeyState.DESTROY_SCHEDULED && !key.destroyAt().isAfter(now);
    List<KeyVersion> changed = new ArrayList<>();
    List<KeyVersion> shredded = new ArrayList<>();
    List<KeyVersion> all = new ArrayList<>();
    for (KeyVersion v : versions) {
      boolean due =
          v.state() != KeyState.DESTROYED
              && (keyDue
                  || (v.state() == KeyState.DESTROY_SCHEDULED && !v.destroyAt().isAfter(now)));
      if (due) {
        KeyVersion d = v.destroyed();
        changed.add(d);
        shredded.add(v);
        all.add(d);
      } else {
        all.add(v);
      }
    }
    Key k = keyDue ? key.with(KeyState.DESTROYED, null, now) : key;
    if (!keyDue && changed.isEmpty()) {
      return new Update(this, List.of(), List.of());
    }
    return new Update(new KeyRing(k, all), changed, shredded);
  }

  // ---- version lifecycle ----

  /**
   * @throws KmsException NOT_FOUND for an unknown version; FAILED_PRECONDITION unless it is ENABLED
   *     or DISABLED
   */
  public Update enableVersion(int number, Instant now) {
    KeyVersion v = requireVersionState(number, "enable", KeyState.ENABLED, KeyState.DISABLED);
    return versionOnly(v.withState(KeyState.ENABLED, null), now);
  }

  /**
   * @throws KmsException NOT_FOUND for an unknown version; FAILED_PRECONDITION unless it is ENABLED
   *     or DISABLED
   */
  public Update disableVersion(int number, Instant now) {
    KeyVersion v = requireVersionState(number, "disable", KeyState.ENABLED, KeyState.DISABLED);
    return versionOnly(v.withState(KeyState.DISABLED, null), now);
  }

  /**
   * @throws KmsException NOT_FOUND for an unknown version; FAILED_PRECONDITION unless it is ENABLED
   *     and at or above the encrypt floor
   */
  public Update makePrimary(int number, Instant now) {
    requireVersionState(number, "make-primary", KeyState.ENABLED);
    if (number < key.minEncryptVersion()) {
      throw KmsException.failedPrecondition(
          "version " + number + " is below the minimum encrypt version " + key.minEncryptVersion());
    }
    if (number < key.minDecryptVersion()) {
      throw KmsException.failedPrecondition(
          "version "
              + number
              + " is below the minimum decrypt version "
              + key.minDecryptVersion()
              + "; its new blobs could not be decrypted");
    }
    Key k = key.withVersions(number, key.latestVersion(), key.nextRotationAt(), now);
    return new Update(new KeyRing(k, versions), List.of(), List.of());
  }

  /**
   * @throws KmsException INVALID_ARGUMENT for a window outside 7–30 days; NOT_FOUND for an unknown
   *     version; FAILED_PRECONDITION for the primary version or a version not ENABLED or DISABLED
   */
  public Update scheduleDestroyVersion(int number, int pendingDays, Instant now) {
    checkPendingDays(pendingDays);
    KeyVersion v =
        requireVersionState(number, "schedule-destroy", KeyState.ENABLED, KeyState.DISABLED);
    if (number == key.primaryVersion()) {
      throw KmsException.failedPrecondition(
          "version " + number + " is primary; make another version primary first");
    }
    return versionOnly(
        v.withState(KeyState.DESTROY_SCHEDULED, now.plus(Duration.ofDays(pendingDays))), now);
  }

  /**
   * @throws KmsException NOT_FOUND for an unknown version; FAILED_PRECONDITION unless it is
   *     DESTROY_SCHEDULED
   */
  public Update cancelDestroyVersion(int number, Instant now) {
    KeyVersion v = requireVersionState(number, "cancel-destroy", KeyState.DESTROY_SCHEDULED);
    return versionOnly(v.withState(KeyState.DISABLED, null), now);
  }

  /**
   * Applies a settings change.
   *
   * @throws KmsException INVALID_ARGUMENT for a floor outside 1..primary or a bad setting
   */
  public Update patch(KeyPatch p, Instant now) {
    if (key.state() == KeyState.DESTROYED) {
      throw KmsException.failedPrecondition("key '" + key.name() + "' is DESTROYED");
    }
    Duration period =
        p.clearRotationPeriod()
            ? null
            : p.rotationPeriod() != null
                ? Key.checkRotationPeriod(p.rotationPeriod())
                : key.rotationPeriod();
    Instant nextRotation =
        period == null
            ? null
            : period.equals(key.rotationPeriod()) && key.nextRotationAt() != null
                ? key.nextRotationAt()
                : now.plus(period);
    int minEncrypt =
        p.minEncryptVersion() != null ? p.minEncryptVersion() : key.minEncryptVersion();
    int minDecrypt =
        p.minDecryptVersion() != null ? p.minDecryptVersion() : key.minDecryptVersion();
    checkFloor("minEncryptVersion", minEncrypt);
    checkFloor("minDecryptVersion", minDecrypt);
    Key k =
        key.withSettings(
            period,
            nextRotation,
            p.description() != null ? Key.checkDescription(p.description()) : key.description(),
            p.labels() != null ? p.labels() : key.labels(),
            minEncrypt,
            minDecrypt,
            now);
    return keyOnly(k);
  }

  private void checkFloor(String name, int value) {
    if (value < 1 || value > key.primaryVersion()) {
      throw KmsException.invalidArgument(
          name + " must be between 1 and the primary version " + key.primaryVersion());
    }
  }

  private static void checkPendingDays(int days) {
    if (days < MIN_PENDING_DAYS || days > MAX_PENDING_DAYS) {
      throw KmsException.invalidArgument("pendingDays must be between 7 and 30");
    }
  }

  private void requireKeyState(String op, KeyState... allowed) {
    for (KeyState s : allowed) {
      if (key.state() == s) {
        return;
      }
    }
    throw KmsException.failedPrecondition(
        "cannot " + op + " key '" + key.name() + "' while it is " + key.state());
  }

  private KeyVersion requireVersionState(int number, String op, KeyState... allowed) {
    KeyVersion v =
        version(number)
            .orElseThrow(
                () -> KmsException.notFound("key '" + key.name() + "' has no version " + number));
    if (key.state() == KeyState.DESTROYED) {
      throw KmsException.failedPrecondition("key '" + key.name() + "' is DESTROYED");
    }
    for (KeyState s : allowed) {
      if (v.state() == s) {
        return v;
      }
    }
    throw KmsException.failedPrecondition(
        "cannot " + op + " version " + number + " while it is " + v.state());
  }

  private Update keyOnly(Key k) {
    return new Update(new KeyRing(k, versions), List.of(), List.of());
  }

  private Update versionOnly(KeyVersion changed, Instant now) {
    List<KeyVersion> all = new ArrayList<>();
    for (KeyVersion v : versions) {
      all.add(v.number() == changed.number() ? changed : v);
    }
    Key k = key.withVersions(key.primaryVersion(), key.latestVersion(), key.nextRotationAt(), now);
    return new Update(new KeyRing(k, all), List.of(changed), List.of());
  }
}
