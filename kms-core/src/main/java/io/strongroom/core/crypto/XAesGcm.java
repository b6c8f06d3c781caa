package io.strongroom.core.crypto;

import com.google.crypto.tink.AccessesPartialKey;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.LowLevelCryptoCaller;
import com.google.crypto.tink.aead.XAesGcmKey;
import com.google.crypto.tink.aead.XAesGcmParameters;
import com.google.crypto.tink.aead.subtle.XAesGcmAead;
import com.google.crypto.tink.util.SecretBytes;
import java.security.GeneralSecurityException;

/**
 * XAES-256-GCM from Tink: a fresh AES-256-GCM key is derived per message from a 96-bit random salt,
 * and the nonce is 96 random bits on top, so random nonces stay safe far past 2^32 messages per key
 * (about 2^80 messages before a collision of salt and nonce matters). Output: 12-byte salt ‖
 * 12-byte nonce ‖ ciphertext ‖ 16-byte tag, no Tink prefix.
 */
public final class XAesGcm {
  public static final int KEY_BYTES = 32;

  /** Bytes XAES-256-GCM adds to a plaintext. */
  public static final int OVERHEAD = 12 + 12 + 16;

  private XAesGcm() {}

  /**
   * Builds the primitive over a copy of {@code key} (32 bytes). Strongroom manages versioned key
   * rings itself (the version travels in the blob), so it uses Tink's primitive directly rather
   * than Tink keysets.
   */
  @AccessesPartialKey
  @LowLevelCryptoCaller
  public static Aead create(byte[] key) throws GeneralSecurityException {
    if (key.length != KEY_BYTES) {
      throw new GeneralSecurityException("XAES-256-GCM needs a 32-byte key");
    }
    XAesGcmParameters params = XAesGcmParameters.create(XAesGcmParameters.Variant.NO_PREFIX, 12);
    XAesGcmKey k =
        XAesGcmKey.create(params, SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get()), null);
    return XAesGcmAead.create(k);
  }
}
