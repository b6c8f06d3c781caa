package io.strongroom.core.crypto;

import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Randomness for keys and nonces: the JDK's DRBG (NIST SP 800-90A), instantiated at 256-bit
 * security strength and seeded by the operating system, one per thread. Unlike the default
 * NativePRNG it costs no system call and no process-wide lock per request.
 */
public final class Drbg {
  private static final ThreadLocal<SecureRandom> PER_THREAD = ThreadLocal.withInitial(Drbg::create);

  private Drbg() {}

  /** This thread's DRBG; never share it with another thread. */
  public static SecureRandom current() {
    return PER_THREAD.get();
  }

  /** A new DRBG at 256-bit strength. */
  public static SecureRandom create() {
    try {
      return SecureRandom.getInstance(
          "DRBG", DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, null));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("DRBG at 256-bit strength is unavailable", e);
    }
  }
}
