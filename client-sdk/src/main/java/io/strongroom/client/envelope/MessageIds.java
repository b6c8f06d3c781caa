package io.strongroom.client.envelope;

import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * Random message ids, cheaply: the JDK's NIST SP 800-90A DRBG ({@code SecureRandom "DRBG"}, 256-bit
 * strength, seeded and reseeded by the JDK from the system's entropy source) generates 4 KiB at a
 * time into a per-thread buffer, from which each id takes the next 32 bytes. A 32-byte {@code
 * SecureRandom} call costs about a microsecond (a lock, the DRBG's per-call state update; more for
 * {@code NativePRNG}), which would be half the cost of a small message; in 4 KiB batches an id
 * costs a tenth of that. Message ids are not secret (they are in every header); they need only be
 * unpredictable and unique, which buffering does not change. Virtual threads, usually short-lived,
 * draw 32 bytes directly instead of keeping a buffer.
 */
final class MessageIds {
  private static final int BATCH = 4096;
  private static final SecureRandom DRBG = drbg();
  private static final ThreadLocal<Batch> BATCHES = ThreadLocal.withInitial(Batch::new);

  private MessageIds() {}

  /** A fresh random 32-byte message id. */
  static byte[] next() {
    byte[] id = new byte[Message.MESSAGE_ID_BYTES];
    if (Thread.currentThread().isVirtual()) {
      DRBG.nextBytes(id);
    } else {
      BATCHES.get().take(id);
    }
    return id;
  }

  private static final class Batch {
    private final byte[] bytes = new byte[BATCH];
    private int pos = BATCH;

    void take(byte[] out) {
      if (pos + out.length > BATCH) {
        DRBG.nextBytes(bytes);
        pos = 0;
      }
      System.arraycopy(bytes, pos, out, 0, out.length);
      pos += out.length;
    }
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance(
          "DRBG", DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, null));
    } catch (GeneralSecurityException e) {
      return new SecureRandom();
    }
  }
}
