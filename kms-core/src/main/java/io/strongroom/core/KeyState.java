package io.strongroom.core;

/** State of a key or of one of its versions. */
public enum KeyState {
  ENABLED,
  DISABLED,
  /** Unusable; destroyed at {@code destroyAt} unless cancelled (cancel leaves it DISABLED). */
  DESTROY_SCHEDULED,
  /** Material deleted (crypto-shredded); terminal. */
  DESTROYED
}
