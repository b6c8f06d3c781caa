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

  /**
   * Replaces the value of {@code name} with {@code replacement} if it is still exactly {@code
   * expected} (compare-and-set on the stored bytes), atomically.
   *
   * @return true when it replaced; false when the name has no value or another one
   */
  boolean replace(String name, byte[] expected, byte[] replacement);
}
