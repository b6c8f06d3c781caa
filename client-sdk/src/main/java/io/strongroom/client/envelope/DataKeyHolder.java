package io.strongroom.client.envelope;

import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * Owns the plaintext of one data key and zeroes it when destroyed. It does nothing else: no
 * equality, no hashing, and {@link #toString} never shows the key.
 *
 * <p>Zeroing is best effort on the JVM: it overwrites this array, the only copy the SDK keeps, but
 * the garbage collector may have copied the array before, and the HTTP layer and JCE key schedules
 * held their own copies (see {@link EnvelopeEncryptor}).
 */
final class DataKeyHolder implements Destroyable {
  private final byte[] key;
  private volatile boolean destroyed;

  /** Takes ownership of {@code key}: the caller must not keep or zero it. */
  DataKeyHolder(byte[] key) {
    this.key = key;
  }

  /**
   * The key itself, not a copy, valid only while the caller holds a use of the cache entry (or owns
   * this holder outright).
   */
  byte[] bytes() {
    return key;
  }

  @Override
  public void destroy() {
    Arrays.fill(key, (byte) 0);
    destroyed = true;
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return destroyed ? "DataKeyHolder[destroyed]" : "DataKeyHolder[REDACTED]";
  }
}
