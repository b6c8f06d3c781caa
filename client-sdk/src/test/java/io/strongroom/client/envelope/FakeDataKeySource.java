package io.strongroom.client.envelope;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.subtle.Random;
import io.strongroom.client.InvalidCiphertextException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An in-memory {@link DataKeySource} that behaves like the server for the envelope: data keys are
 * wrapped with AES-GCM under a local key, bound to the key name and the canonical encryption
 * context, so a changed context or blob fails to unwrap with {@link InvalidCiphertextException}
 * exactly as the server answers. It counts calls, can hold calls in flight on a latch, and keeps a
 * reference to every plaintext data key array it handed out so tests can check they were zeroed.
 */
class FakeDataKeySource implements DataKeySource {
  private final Aead wrap;
  private final Supplier<byte[]> dataKeys;
  final AtomicInteger generateCalls = new AtomicInteger();
  final AtomicInteger decryptCalls = new AtomicInteger();

  /**
   * Every plaintext array returned, by reference (the encryptor takes ownership and zeroes them).
   */
  final List<byte[]> handedOut = new CopyOnWriteArrayList<>();

  /** Every wrapped data key generated, in order. */
  final List<byte[]> blobs = new CopyOnWriteArrayList<>();

  private volatile Hold generateHold;

  FakeDataKeySource() {
    this(Random.randBytes(32), () -> Random.randBytes(32));
  }

  FakeDataKeySource(byte[] wrappingKey, Supplier<byte[]> dataKeys) {
    try {
      this.wrap = new AesGcmJce(wrappingKey);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    this.dataKeys = dataKeys;
  }

  /** Calls in flight are held until released; {@link #awaitArrival} waits for the first to come. */
  static final class Hold {
    final int fromCall;
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    Hold(int fromCall) {
      this.fromCall = fromCall;
    }

    void awaitArrival() throws InterruptedException {
      if (!arrived.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("the held call never arrived");
      }
    }

    void release() {
      release.countDown();
    }
  }

  /** Holds generate calls numbered {@code fromCall} (1-based) and later until released. */
  Hold holdGenerateCalls(int fromCall) {
    Hold h = new Hold(fromCall);
    generateHold = h;
    return h;
  }

  @Override
  public DataKey generateDataKey(String keyName, int bytes, Map<String, String> context) {
    int n = generateCalls.incrementAndGet();
    Hold h = generateHold;
    if (h != null && n >= h.fromCall) {
      h.arrived.countDown();
      try {
        if (!h.release.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("held generate call was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    byte[] key = dataKeys.get();
    if (key.length != bytes) {
      throw new IllegalStateException("fake asked for " + bytes + " bytes");
    }
    byte[] name = keyName.getBytes(UTF_8);
    byte[] sealed;
    try {
      sealed = wrap.encrypt(key, aad(name, context));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    ByteBuffer blob = ByteBuffer.allocate(2 + name.length + sealed.length);
    blob.putShort((short) name.length).put(name).put(sealed);
    handedOut.add(key);
    blobs.add(blob.array().clone());
    return new DataKey(key, blob.array());
  }

  @Override
  public byte[] decryptDataKey(byte[] ciphertext, Map<String, String> context) {
    decryptCalls.incrementAndGet();
    try {
      ByteBuffer blob = ByteBuffer.wrap(ciphertext);
      byte[] name = new byte[blob.getShort() & 0xffff];
      blob.get(name);
      byte[] sealed = new byte[blob.remaining()];
      blob.get(sealed);
      byte[] key = wrap.decrypt(sealed, aad(name, context));
      handedOut.add(key);
      return key;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new InvalidCiphertextException(400, "fake: the blob does not unwrap", "fake-request");
    }
  }

  /** The {@code i}-th wrapped data key generated (0-based). */
  byte[] handedOutBlob(int i) {
    return blobs.get(i);
  }

  /** Whether every plaintext data key handed out has been overwritten with zeros. */
  boolean allHandedOutKeysZeroed() {
    byte[] zero = new byte[32];
    return handedOut.stream().allMatch(k -> Arrays.equals(k, zero));
  }

  private static byte[] aad(byte[] name, Map<String, String> context) {
    byte[] ctx = CanonicalContext.of(context).encoded();
    return ByteBuffer.allocate(2 + name.length + ctx.length)
        .putShort((short) name.length)
        .put(name)
        .put(ctx)
        .array();
  }
}
