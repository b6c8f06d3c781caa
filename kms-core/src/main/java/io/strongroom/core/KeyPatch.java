package io.strongroom.core;

import java.time.Duration;
import java.util.Map;

/**
 * A partial update of a key's settings. A null field leaves the setting unchanged, except that
 * {@code clearRotationPeriod} removes scheduled rotation.
 */
public record KeyPatch(
    Duration rotationPeriod,
    boolean clearRotationPeriod,
    String description,
    Map<String, String> labels,
    Integer minEncryptVersion,
    Integer minDecryptVersion) {

  public static KeyPatch none() {
    return new KeyPatch(null, false, null, null, null, null);
  }
}
