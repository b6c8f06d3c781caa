package io.strongroom.client.envelope;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-SHA256 (RFC 5869) for outputs of at most 32 bytes, on the JDK's {@code HmacSHA256} directly.
 * Its results equal Tink's {@code Hkdf.computeHkdf("HMACSHA256", ikm, salt, info, 32)} (tested); it
 * exists because the envelope derives three or four HKDF values per message, and Tink's helper
 * looks up a new {@code Mac} for every call and extracts again for every output: sharing one
 * extract between the commitment and the message key, and one {@code Mac} per thread, makes small
 * messages about twice as fast.
 *
 * <pre>
 * PRK = HMAC-SHA256(key = salt, ikm)                         extract
 * OKM = HMAC-SHA256(key = PRK, info ‖ 0x01)[0..L)            expand, L ≤ 32 (one block: T(1))
 * </pre>
 */
final class Hkdf256 {
  private static final String HMAC = "HmacSHA256";
  private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(Hkdf256::newMac);

  private Hkdf256() {}

  /** HKDF-Extract: the pseudorandom key of {@code ikm} under {@code salt} (non-empty). */
  static byte[] extract(byte[] salt, byte[] ikm) {
    Mac mac = mac();
    init(mac, salt);
    return mac.doFinal(ikm);
  }

  /** HKDF-Expand to 32 bytes: the first block, {@code T(1)}. */
  static byte[] expand32(byte[] prk, byte[] info) {
    Mac mac = mac();
    init(mac, prk);
    mac.update(info);
    mac.update((byte) 1);
    return mac.doFinal();
  }

  private static Mac mac() {
    // A virtual thread is usually short-lived: caching in it would only grow its thread locals.
    return Thread.currentThread().isVirtual() ? newMac() : MACS.get();
  }

  private static void init(Mac mac, byte[] key) {
    try {
      mac.init(new SecretKeySpec(key, HMAC));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 refused a key", e);
    }
  }

  private static Mac newMac() {
    try {
      return Mac.getInstance(HMAC);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
    }
  }
}
