package io.strongroom.client.envelope;

import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * Owns the plaintext of one data key, and the values of envelope message v1 that depend on the data
 * key alone and are therefore computed once per data key, not per message (see {@link
 * EnvelopeCrypto}): its key commitment, its data-key-mode body key {@code K_d}, and its AES-CMAC
 * subkey {@code K1} (for the message keys of message-key mode). Each is computed on first use. It
 * zeroes the key, {@code K_d} and {@code K1} when destroyed. It does nothing else: no equality, no
 * hashing, and {@link #toString} never shows the key.
 *
 * <p>Zeroing is best effort on the JVM: it overwrites these arrays, the only copies the SDK keeps,
 * but the garbage collector may have copied them before, and the HTTP layer and JCE key schedules
 * held their own copies (see {@link EnvelopeEncryptor}).
 */
final class DataKeyHolder implements Destroyable {
  private final byte[] key;
  private volatile boolean destroyed;
  private volatile byte[] commitment;
  private volatile byte[] bodyKey;
  private volatile byte[] cmacSubkey;

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

  /** The key commitment of this data key (not a copy; not secret), computed on first use. */
  byte[] commitment() {
    byte[] c = commitment;
    if (c == null) {
      synchronized (this) {
        c = commitment;
        if (c == null) {
          c = EnvelopeCrypto.commitment(key);
          commitment = c;
        }
      }
    }
    return c;
  }

  /**
   * The data-key-mode body key {@code K_d} of this data key (not a copy: valid only while the key
   * is, never to be zeroed by the caller), computed on first use.
   */
  byte[] bodyKey() {
    byte[] k = bodyKey;
    if (k == null) {
      synchronized (this) {
        k = bodyKey;
        if (k == null) {
          k = EnvelopeCrypto.bodyKey(key);
          bodyKey = k;
        }
      }
    }
    return k;
  }

  /** The AES-CMAC subkey {@code K1} of this data key (not a copy), computed on first use. */
  byte[] cmacSubkey() {
    byte[] k = cmacSubkey;
    if (k == null) {
      synchronized (this) {
        k = cmacSubkey;
        if (k == null) {
          k = EnvelopeCrypto.cmacSubkey(key);
          cmacSubkey = k;
        }
      }
    }
    return k;
  }

  @Override
  public void destroy() {
    synchronized (this) {
      Arrays.fill(key, (byte) 0);
      byte[] k = cmacSubkey;
      if (k != null) {
        Arrays.fill(k, (byte) 0);
      }
      byte[] b = bodyKey;
      if (b != null) {
        Arrays.fill(b, (byte) 0);
      }
      destroyed = true;
    }
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
