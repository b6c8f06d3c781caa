package io.strongroom.bench;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The baseline for {@link EnvelopeBenchmark}: bare JCE AES-256-GCM encryption of the same payloads
 * on the same JDK, one thread. One {@link Cipher} per thread (from {@code Cipher.getInstance}
 * once), initialised per operation with a fresh random 12-byte nonce, as any correct GCM use must.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class JceAesGcmBenchmark {
  @Param({"32", "4096", "1048576"})
  public int payloadBytes;

  private final SecureRandom random = new SecureRandom();
  private final byte[] nonce = new byte[12];
  private Cipher cipher;
  private SecretKey key;
  private byte[] plaintext;

  @Setup
  public void setUp() throws GeneralSecurityException {
    byte[] keyBytes = new byte[32];
    random.nextBytes(keyBytes);
    key = new SecretKeySpec(keyBytes, "AES");
    cipher = Cipher.getInstance("AES/GCM/NoPadding");
    plaintext = new byte[payloadBytes];
    random.nextBytes(plaintext);
  }

  @Benchmark
  public byte[] encrypt() throws GeneralSecurityException {
    random.nextBytes(nonce);
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
    return cipher.doFinal(plaintext);
  }
}
