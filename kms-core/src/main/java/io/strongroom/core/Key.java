package io.strongroom.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A tenant's key: the configuration and state of a ring of versions. Immutable; changes produce a
 * new value that the store saves against the expected {@code revision}.
 *
 * @param id 32 lower-case hex characters (128 random bits); it travels in every blob, so decrypt
 *     needs no key name
 * @param name unique per tenant, {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,127}}
 * @param rotationPeriod null when the key is rotated only on demand
 * @param nextRotationAt when scheduled rotation is due, or null
 * @param primaryVersion the version used to encrypt
 * @param destroyAt when a DESTROY_SCHEDULED key is due, or null
 * @param revision optimistic-concurrency revision, increases by one on every save
 */
public record Key(
    String tenant,
    String id,
    String name,
    ProtectionLevel protection,
    KeyState state,
    Duration rotationPeriod,
    Instant nextRotationAt,
    String description,
    Map<String, String> labels,
    int primaryVersion,
    int latestVersion,
    int minEncryptVersion,
    int minDecryptVersion,
    Instant destroyAt,
    long revision,
    Instant createdAt,
    Instant updatedAt) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern LABEL_KEY = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  public static final Duration MIN_ROTATION = Duration.ofDays(1);
  public static final Duration MAX_ROTATION = Duration.ofDays(3650);
  public static final int MAX_DESCRIPTION = 1024;
  public static final int MAX_LABELS = 64;

  public Key {
    checkName(name);
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("key id must be 32 hex characters");
    }
    labels = checkLabels(labels);
    checkDescription(description);
    if (rotationPeriod != null) {
      checkRotationPeriod(rotationPeriod);
    }
  }

  public Key with(KeyState newState, Instant newDestroyAt, Instant now) {
    return new Key(
        tenant,
        id,
        name,
        protection,
        newState,
        rotationPeriod,
        nextRotationAt,
        description,
        labels,
        primaryVersion,
        latestVersion,
        minEncryptVersion,
        minDecryptVersion,
        newDestroyAt,
        revision,
        createdAt,
        now);
  }

  public Key withVersions(int primary, int latest, Instant nextRotation, Instant now) {
    return new Key(
        tenant,
        id,
        name,
        protection,
        state,
        rotationPeriod,
        nextRotation,
        description,
        labels,
        primary,
        latest,
        minEncryptVersion,
        minDecryptVersion,
        destroyAt,
        revision,
        createdAt,
        now);
  }

  public Key withSettings(
      Duration period,
      Instant nextRotation,
      String newDescription,
      Map<String, String> newLabels,
      int minEncrypt,
      int minDecrypt,
      Instant now) {
    return new Key(
        tenant,
        id,
        name,
        protection,
        state,
        period,
        nextRotation,
        newDescription,
        newLabels,
        primaryVersion,
        latestVersion,
        minEncrypt,
        minDecrypt,
        destroyAt,
        revision,
        createdAt,
        now);
  }

  public Key withRevision(long newRevision) {
    return new Key(
        tenant,
        id,
        name,
        protection,
        state,
        rotationPeriod,
        nextRotationAt,
        description,
        labels,
        primaryVersion,
        latestVersion,
        minEncryptVersion,
        minDecryptVersion,
        destroyAt,
        newRevision,
        createdAt,
        updatedAt);
  }

  /**
   * @throws KmsException INVALID_ARGUMENT when the name is malformed
   */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw KmsException.invalidArgument("key name must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    }
    return name;
  }

  /**
   * @throws KmsException INVALID_ARGUMENT unless 1 day ≤ period ≤ 3650 days
   */
  public static Duration checkRotationPeriod(Duration period) {
    if (period.compareTo(MIN_ROTATION) < 0 || period.compareTo(MAX_ROTATION) > 0) {
      throw KmsException.invalidArgument(
          "rotationPeriod must be between P1D and P3650D (ISO-8601 duration, e.g. P90D)");
    }
    return period;
  }

  /**
   * @throws KmsException INVALID_ARGUMENT when the description is too long
   */
  public static String checkDescription(String description) {
    if (description != null && description.length() > MAX_DESCRIPTION) {
      throw KmsException.invalidArgument("description must be at most 1024 characters");
    }
    return description;
  }

  /**
   * Checks and copies labels into a sorted, immutable map.
   *
   * @throws KmsException INVALID_ARGUMENT naming the rule that a label breaks
   */
  public static Map<String, String> checkLabels(Map<String, String> labels) {
    if (labels == null) {
      return Map.of();
    }
    if (labels.size() > MAX_LABELS) {
      throw KmsException.invalidArgument("at most 64 labels");
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (e.getKey() == null || !LABEL_KEY.matcher(e.getKey()).matches()) {
        throw KmsException.invalidArgument("label keys must match [a-z][a-z0-9_-]{0,62}");
      }
      if (e.getValue() == null || e.getValue().length() > 63) {
        throw KmsException.invalidArgument("label values must be strings of at most 63 characters");
      }
      sorted.put(e.getKey(), e.getValue());
    }
    return java.util.Collections.unmodifiableMap(sorted);
  }
}
