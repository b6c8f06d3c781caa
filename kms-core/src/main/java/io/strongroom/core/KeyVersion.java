package io.strongroom.core;

import java.time.Instant;

/**
 * One version of a key. The {@code material} is the custodian's stored form: for SOFTWARE the
 * material wrapped by the root key, for HSM a token object handle, for EXTERNAL a key reference. It
 * is never plaintext key material, and it is null once the version is destroyed.
 *
 * @param number version number, from 1, only ever increasing within a key
 * @param destroyAt when a DESTROY_SCHEDULED version is due, else null
 */
public record KeyVersion(
    int number,
    KeyState state,
    ProtectionLevel protection,
    byte[] material,
    Instant createdAt,
    Instant destroyAt) {

  public KeyVersion {
    material = material == null ? null : material.clone();
  }

  @Override
  public byte[] material() {
    return material == null ? null : material.clone();
  }

  KeyVersion withState(KeyState newState, Instant newDestroyAt) {
    return new KeyVersion(number, newState, protection, material, createdAt, newDestroyAt);
  }

  KeyVersion destroyed() {
    return new KeyVersion(number, KeyState.DESTROYED, protection, null, createdAt, null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyVersion v
        && v.number == number
        && v.state == state
        && v.protection == protection
        && java.util.Arrays.equals(v.material, material)
        && v.createdAt.equals(createdAt)
        && java.util.Objects.equals(v.destroyAt, destroyAt);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(number, state, createdAt);
  }

  @Override
  public String toString() {
    return "KeyVersion[" + number + ", " + state + ", " + protection + "]";
  }
}
