package io.strongroom.core.crypto;

import com.google.crypto.tink.Aead;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * Unwrapped key material held in memory, with the primitive built over it. {@link #destroy()}
 * zeroes this holder's copy; Tink keeps its own derived copies that are dropped with the holder and
 * reclaimed by the garbage collector (best effort on the JVM, see docs/SECURITY.md). Never printed,
 * never compared by value.
 */
public final class KeyMaterial implements Destroyable {
  private final byte[] bytes;
  private volatile Aead aead;

  /** Takes ownership of {@code bytes}: the caller must not keep or reuse the array. */
  public KeyMaterial(byte[] bytes) throws GeneralSecurityException {
    this.bytes = bytes;
    this.aead = XAesGcm.create(bytes);
  }

  /**
   * @throws GeneralSecurityException if the material was destroyed
   */
  public Aead aead() throws GeneralSecurityException {
    Aead a = aead;
    if (a == null) {
      throw new GeneralSecurityException("key material destroyed");
    }
    return a;
  }

  /** The primitive, or null once destroyed. */
  public Aead aeadIfLive() {
    return aead;
  }

  @Override
  public void destroy() {
    aead = null;
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public boolean isDestroyed() {
    return aead == null;
  }

  @Override
  public String toString() {
    return "KeyMaterial[REDACTED]";
  }
}
