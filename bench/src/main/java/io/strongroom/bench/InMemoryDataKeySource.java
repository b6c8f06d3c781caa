package io.strongroom.bench;

import io.strongroom.client.envelope.DataKeySource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * A {@link DataKeySource} that stands in for the Strongroom server in the benchmarks: it wraps data
 * keys with the JDK's AES-256-GCM under a random key held in memory, binds the encryption context
 * as additional authenticated data (as the server binds it to the blob), and counts its calls.
 *
 * <p>It makes no network call, so the benchmarks measure the SDK's local work with a warm cache;
 * each call to it is one call the SDK would make to the server, which is what the counters report.
 * Not a key-management service: the wrapping key lives only as long as this object.
 */
public final class InMemoryDataKeySource implements DataKeySource {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecureRandom random = new SecureRandom();
  private final SecretKey wrappingKey;
  private final LongAdder generateCalls = new LongAdder();
  private final LongAdder decryptCalls = new LongAdder();

  /** A source with a fresh random 256-bit wrapping key. */
  public InMemoryDataKeySource() {
    try {
      KeyGenerator generator = KeyGenerator.getInstance("AES");
      generator.init(256, random);
      this.wrappingKey = generator.generateKey();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public DataKey generateDataKey(String keyName, int bytes, Map<String, String> context) {
    generateCalls.increment();
    byte[] plaintext = new byte[bytes];
    random.nextBytes(plaintext);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, wrappingKey, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad(context));
      byte[] sealed = cipher.doFinal(plaintext);
      byte[] blob = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
      return new DataKey(plaintext, blob);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public byte[] decryptDataKey(byte[] ciphertext, Map<String, String> context) {
    decryptCalls.increment();
    if (ciphertext.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new IllegalArgumentException("wrapped data key too short");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          wrappingKey,
          new GCMParameterSpec(TAG_BITS, Arrays.copyOfRange(ciphertext, 0, NONCE_BYTES)));
      cipher.updateAAD(aad(context));
      return cipher.doFinal(ciphertext, NONCE_BYTES, ciphertext.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("wrapped data key does not decrypt under this context", e);
    }
  }

  /** Calls to {@link #generateDataKey} so far: the server's generate-data-key calls. */
  public long generateCalls() {
    return generateCalls.sum();
  }

  /** Calls to {@link #decryptDataKey} so far: the server's decrypt calls. */
  public long decryptCalls() {
    return decryptCalls.sum();
  }

  /**
   * The context as length-prefixed UTF-8 entries in key order. The key name is not bound: the
   * decrypt call does not carry it.
   */
  private static byte[] aad(Map<String, String> context) {
    ByteBuffer out = ByteBuffer.allocate(aadLength(context));
    for (Map.Entry<String, String> e : sorted(context).entrySet()) {
      byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
      out.putInt(k.length).put(k).putInt(v.length).put(v);
    }
    return out.array();
  }

  private static int aadLength(Map<String, String> context) {
    int n = 0;
    for (Map.Entry<String, String> e : sorted(context).entrySet()) {
      n += 8 + e.getKey().getBytes(StandardCharsets.UTF_8).length;
      n += e.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    return n;
  }

  private static Map<String, String> sorted(Map<String, String> context) {
    return context == null ? Map.of() : new TreeMap<>(context);
  }
}
