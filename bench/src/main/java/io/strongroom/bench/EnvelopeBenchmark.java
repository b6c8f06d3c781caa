package io.strongroom.bench;

import io.strongroom.client.envelope.EnvelopeEncryptor;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The SDK's envelope encryption with a warm data-key cache (issue 4): {@link EnvelopeEncryptor}
 * byte-array encrypt and decrypt, one thread, against an {@link InMemoryDataKeySource} that stands
 * in for the server. Compare with {@link JceAesGcmBenchmark} in the same run.
 *
 * <p>Setup encrypts and decrypts one message so both caches hold their data key before measuring;
 * the tear-down prints how many times the data-key source (the server) was called per 10,000
 * messages over the whole trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class EnvelopeBenchmark {
  /** A context of the size a service would use (two entries). */
  static final Map<String, String> CONTEXT = Map.of("tenant", "acme", "purpose", "bench");

  @Param({"32", "4096", "1048576"})
  public int payloadBytes;

  private InMemoryDataKeySource source;
  private EnvelopeEncryptor encryptor;
  private byte[] plaintext;
  private byte[] message;
  private long messages;

  @Setup(Level.Trial)
  public void setUp() {
    source = new InMemoryDataKeySource();
    encryptor = EnvelopeEncryptor.builder().dataKeys(source).keyName("bench-key").build();
    plaintext = new byte[payloadBytes];
    new SecureRandom().nextBytes(plaintext);
    message = encryptor.encrypt(plaintext, CONTEXT);
    if (encryptor.decrypt(message, CONTEXT).length != payloadBytes) {
      throw new IllegalStateException("round trip failed");
    }
  }

  @Benchmark
  public byte[] encrypt() {
    messages++;
    return encryptor.encrypt(plaintext, CONTEXT);
  }

  @Benchmark
  public byte[] decrypt() {
    messages++;
    return encryptor.decrypt(message, CONTEXT);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    encryptor.close();
    long calls = source.generateCalls() + source.decryptCalls();
    System.out.printf(
        "%n[envelope %d B] %d messages, %d data-key source calls (%d generate, %d decrypt):"
            + " %.4f calls per 10,000 messages%n",
        payloadBytes,
        messages,
        calls,
        source.generateCalls(),
        source.decryptCalls(),
        messages == 0 ? 0.0 : calls * 10_000.0 / messages);
  }
}
