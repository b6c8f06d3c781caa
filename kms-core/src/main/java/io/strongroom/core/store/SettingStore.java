package io.strongroom.core.store;

import java.util.Optional;

/** Named deployment-wide values such as the wrapped audit key. */
public interface SettingStore {
  Optional<byte[]> get(String name);

  /**
   * Stores {@code value} unless the name already has one.
   *
   * @return the value now stored (the existing one if another node won the race)
   */
  byte[] putIfAbsent(String name, byte[] value);
}
