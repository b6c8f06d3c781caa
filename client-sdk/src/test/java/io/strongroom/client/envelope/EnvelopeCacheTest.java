package io.strongroom.client.envelope;

import static io.strongroom.client.envelope.EnvelopeRoundTripTest.encryptStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.client.UnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The data-key cache: limits, single flight, refresh-ahead, zeroing, context separation. */
@Timeout(60)
class EnvelopeCacheTest {
  static final Map<String, String> A = Map.of("tenant", "a");
  static final Map<String, String> B = Map.of("tenant", "b");
  static final long AGE = 1_000;

  final FakeDataKeySource keys = new FakeDataKeySource();
  final AtomicLong now = new AtomicLong(1_000_000);
  final List<EnvelopeEncryptor> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(EnvelopeEncryptor::close);
  }

  /** An encryptor on the fake clock, no background clean-up, refresh-ahead off unless set. */
  EnvelopeEncryptor.Builder builder() {
    return EnvelopeEncryptor.builder()
        .dataKeys(keys)
        .keyName("orders")
        .ticker(now::get)
        .maxAge(Duration.ofNanos(AGE))
        .refreshAhead(1.0)
        .cleanUpInterval(Duration.ZERO);
  }

  EnvelopeEncryptor open(EnvelopeEncryptor.Builder b) {
    EnvelopeEncryptor e = b.build();
    opened.add(e);
    return e;
  }

  @Test
  void ageLimitFetchesANewKeyExactlyAtMaxAge() {
    EnvelopeEncryptor e = open(builder());
    e.encrypt(new byte[1], A);
    assertThat(keys.generateCalls.get()).isEqualTo(1);
    now.addAndGet(AGE - 1);
    e.encrypt(new byte[1], A);
    assertThat(keys.generateCalls.get()).isEqualTo(1);
    now.addAndGet(1);
    e.encrypt(new byte[1], A);
    assertThat(keys.generateCalls.get()).isEqualTo(2);
    now.addAndGet(AGE - 1);
    e.encrypt(new byte[1], A);
    assertThat(keys.generateCalls.get()).isEqualTo(2);
  }

  @Test
  void messageLimitFetchesANewKeyExactlyWhenCrossed() {
    EnvelopeEncryptor e = open(builder().maxMessagesPerKey(3));
    List<byte[]> blobs = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      blobs.add(Message.header(e.encrypt(new byte[1], A)).wrappedDataKey());
      assertThat(keys.generateCalls.get()).as("after message " + i).isEqualTo((i + 2) / 3);
    }
    assertThat(blobs.get(0)).isEqualTo(blobs.get(2)).isNotEqualTo(blobs.get(3));
    assertThat(blobs.get(3)).isEqualTo(blobs.get(5)).isNotEqualTo(blobs.get(6));
  }

  @Test
  void byteLimitFetchesANewKeyExactlyWhenCrossed() {
    EnvelopeEncryptor e = open(builder().maxBytesPerKey(100));
    e.encrypt(new byte[60], A);
    e.encrypt(new byte[40], A); // exactly 100
    assertThat(keys.generateCalls.get()).isEqualTo(1);
    e.encrypt(new byte[0], A); // empty messages still fit
    assertThat(keys.generateCalls.get()).isEqualTo(1);
    e.encrypt(new byte[1], A); // 101: a new key
    assertThat(keys.generateCalls.get()).isEqualTo(2);
    e.encrypt(new byte[99], A); // 100 on the new key
    assertThat(keys.generateCalls.get()).isEqualTo(2);

    // A message larger than the budget gets a key of its own and leaves the cache alone.
    DataKeyHolder cached = e.cachedEncryptKey(A);
    byte[] big = e.encrypt(new byte[101], A);
    assertThat(keys.generateCalls.get()).isEqualTo(3);
    assertThat(e.cachedEncryptKey(A)).isSameAs(cached);
    assertThat(e.decrypt(big, A)).hasSize(101);
  }

  @Test
  void streamsAreChargedAsTheyAreWritten() throws IOException {
    EnvelopeEncryptor e = open(builder().maxBytesPerKey(100));
    encryptStream(e, new byte[150], A, 7); // starts on a fresh key and runs to its end
    assertThat(keys.generateCalls.get()).isEqualTo(1);
    e.encrypt(new byte[0], A); // the key is over budget: never used again
    assertThat(keys.generateCalls.get()).isEqualTo(2);
    e.encrypt(new byte[100], A); // exactly the budget
    encryptStream(e, new byte[1], A, 1); // no byte left for a stream: a new key
    assertThat(keys.generateCalls.get()).isEqualTo(3);
  }

  @Test
  void contextsNeverShareADataKey() {
    EnvelopeEncryptor e = open(builder());
    byte[] a = e.encrypt(new byte[1], A);
    byte[] b = e.encrypt(new byte[1], B);
    byte[] none = e.encrypt(new byte[1], null);
    e.encrypt(new byte[1], A);
    e.encrypt(new byte[1], B);
    assertThat(keys.generateCalls.get()).isEqualTo(3);
    assertThat(Message.header(a).wrappedDataKey())
        .isNotEqualTo(Message.header(b).wrappedDataKey())
        .isNotEqualTo(Message.header(none).wrappedDataKey());
    assertThat(e.cachedEncryptKey(A)).isNotSameAs(e.cachedEncryptKey(B));
    // Another key name is another cache key too.
    EnvelopeEncryptor other = open(builder().keyName("invoices"));
    other.encrypt(new byte[1], A);
    assertThat(keys.generateCalls.get()).isEqualTo(4);
  }

  @Test
  void sixtyFourConcurrentColdEncryptsMakeOneCall() throws Exception {
    EnvelopeEncryptor e = open(builder());
    FakeDataKeySource.Hold hold = keys.holdGenerateCalls(1);
    ExecutorService pool = Executors.newFixedThreadPool(64);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<byte[]>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        byte[] plaintext = {(byte) i};
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return e.encrypt(plaintext, A);
                }));
      }
      start.countDown();
      hold.awaitArrival(); // one thread is inside generateDataKey, held there
      // Wait until the 63 others are all blocked on that one call (a condition, not a time).
      while (e.encryptWaiters(A) < 63) {
        Thread.onSpinWait();
      }
      assertThat(keys.generateCalls.get()).isEqualTo(1);
      hold.release();
      for (int i = 0; i < 64; i++) {
        byte[] message = results.get(i).get(30, TimeUnit.SECONDS);
        assertThat(e.decrypt(message, A)).containsExactly((byte) i);
      }
      assertThat(keys.generateCalls.get()).isEqualTo(1);
      assertThat(e.stats().generateDataKeyCalls()).isEqualTo(1);
      assertThat(e.stats().encryptCacheHits()).isEqualTo(63);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailedFetchReachesEveryWaiterAndIsNotCached() throws Exception {
    FakeDataKeySource failing =
        new FakeDataKeySource() {
          @Override
          public DataKey generateDataKey(String keyName, int bytes, Map<String, String> context) {
            if (generateCalls.incrementAndGet() == 1) {
              throw new UnavailableException(503, "down", "r1");
            }
            return super.generateDataKey(keyName, bytes, context);
          }
        };
    EnvelopeEncryptor e = open(builder().dataKeys(failing));
    assertThatThrownBy(() -> e.encrypt(new byte[1], A)).isInstanceOf(UnavailableException.class);
    assertThat(e.decrypt(e.encrypt(new byte[] {5}, A), A)).containsExactly(5);
  }

  @Test
  void refreshAheadFetchesTheReplacementOnceInTheBackground() throws Exception {
    List<Thread> refreshThreads = new CopyOnWriteArrayList<>();
    Executor executor =
        task -> {
          Thread t = new Thread(task, "test-refresh");
          refreshThreads.add(t);
          t.start();
        };
    EnvelopeEncryptor e = open(builder().refreshAhead(0.75).refreshExecutor(executor));
    e.encrypt(new byte[1], A); // call 1, at t0
    DataKeyHolder first = e.cachedEncryptKey(A);
    FakeDataKeySource.Hold hold = keys.holdGenerateCalls(2);

    now.addAndGet(AGE * 3 / 4 - 1);
    e.encrypt(new byte[1], A);
    assertThat(refreshThreads).isEmpty(); // not yet at 75 %
    now.addAndGet(1);
    e.encrypt(new byte[1], A); // at 75 %: starts the refresh
    hold.awaitArrival(); // the replacement's fetch is in flight, held
    // Callers keep using the current key without waiting, however many pass the threshold.
    for (int i = 0; i < 100; i++) {
      now.addAndGet(2);
      byte[] m = e.encrypt(new byte[] {(byte) i}, A);
      assertThat(Message.header(m).wrappedDataKey()).isEqualTo(keys.handedOutBlob(0));
    }
    assertThat(keys.generateCalls.get()).isEqualTo(2);
    assertThat(refreshThreads).hasSize(1);
    assertThat(e.cachedEncryptKey(A)).isSameAs(first);

    hold.release();
    refreshThreads.get(0).join(30_000);
    // The replacement took over and the old key was zeroed.
    DataKeyHolder second = e.cachedEncryptKey(A);
    assertThat(second).isNotSameAs(first);
    assertThat(first.isDestroyed()).isTrue();
    assertThat(first.bytes()).containsOnly(0);
    now.addAndGet(AGE / 2); // past the first key's age, within the second's
    byte[] m = e.encrypt(new byte[1], A);
    assertThat(Message.header(m).wrappedDataKey()).isEqualTo(keys.handedOutBlob(1));
    assertThat(keys.generateCalls.get()).isEqualTo(2);
    assertThat(e.stats().refreshes()).isEqualTo(1);
  }

  @Test
  void whenTheKeyRunsOutDuringARefreshCallersWaitForThatRefreshNotANewCall() throws Exception {
    Executor executor = task -> new Thread(task, "test-refresh").start();
    EnvelopeEncryptor e =
        open(builder().maxMessagesPerKey(4).refreshAhead(0.5).refreshExecutor(executor));
    e.encrypt(new byte[1], A);
    FakeDataKeySource.Hold hold = keys.holdGenerateCalls(2);
    e.encrypt(new byte[1], A); // message 2 of 4: refresh starts, held
    hold.awaitArrival();
    e.encrypt(new byte[1], A);
    e.encrypt(new byte[1], A); // 4 of 4
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<byte[]> fifth = caller.submit(() -> e.encrypt(new byte[] {5}, A));
      while (e.encryptWaiters(A) < 1) { // the fifth waits for the refresh already in flight
        Thread.onSpinWait();
      }
      hold.release();
      assertThat(e.decrypt(fifth.get(30, TimeUnit.SECONDS), A)).containsExactly(5);
      assertThat(keys.generateCalls.get()).isEqualTo(2);
    } finally {
      caller.shutdownNow();
    }
  }

  @Test
  void keysAreZeroedWhenTheyExpire() {
    EnvelopeEncryptor e = open(builder());
    e.encrypt(new byte[1], A);
    DataKeyHolder holder = e.cachedEncryptKey(A);
    assertThat(holder.bytes()).isNotEqualTo(new byte[32]);
    now.addAndGet(AGE - 1);
    e.cleanUp();
    assertThat(holder.isDestroyed()).isFalse();
    now.addAndGet(1);
    e.cleanUp();
    assertThat(holder.isDestroyed()).isTrue();
    assertThat(holder.bytes()).containsOnly(0);
    assertThat(e.cachedEncryptKey(A)).isNull();
    assertThat(e.stats().evictions()).isEqualTo(1);
  }

  @Test
  void keysAreZeroedWhenTheyReachALimitOrAreEvicted() {
    EnvelopeEncryptor e = open(builder().maxMessagesPerKey(1).maxCachedKeys(1));
    e.encrypt(new byte[1], A);
    DataKeyHolder a1 = e.cachedEncryptKey(A);
    byte[] bodyKey = a1.bodyKey(); // K_d, computed by the first byte-array message
    assertThat(bodyKey).isNotEqualTo(new byte[32]);
    e.encrypt(new byte[1], A); // limit reached: replaced
    assertThat(a1.bytes()).containsOnly(0);
    assertThat(bodyKey).containsOnly(0);
    DataKeyHolder a2 = e.cachedEncryptKey(A);
    e.encrypt(new byte[1], B); // the cache holds one key: A's is evicted
    assertThat(a2.bytes()).containsOnly(0);
    assertThat(e.cachedEncryptKey(A)).isNull();
    assertThat(e.cachedEncryptKey(B).isDestroyed()).isFalse();
  }

  @Test
  void aRetiredKeyInUseIsZeroedWhenItsLastUseEnds() {
    DataKeyHolder holder = new DataKeyHolder(new byte[] {1, 2, 3});
    KeyCache.Entry entry = new KeyCache.Entry(holder, new byte[1], 0);
    entry.users.incrementAndGet(); // two messages are deriving from the key
    entry.users.incrementAndGet();
    entry.retire();
    assertThat(holder.isDestroyed()).isFalse();
    entry.release();
    assertThat(holder.bytes()).containsExactly(1, 2, 3);
    entry.release();
    assertThat(holder.isDestroyed()).isTrue();
    assertThat(holder.bytes()).containsOnly(0);
    assertThat(holder.toString()).doesNotContain("1");
  }

  @Test
  void closeZeroesEveryKeyOnBothSides() {
    EnvelopeEncryptor e = open(builder());
    byte[] ma = e.encrypt(new byte[1], A);
    byte[] mb = e.encrypt(new byte[1], B);
    e.decrypt(ma, A);
    e.decrypt(mb, B);
    DataKeyHolder enc = e.cachedEncryptKey(A);
    DataKeyHolder dec = e.cachedDecryptKey(ma);
    assertThat(dec).isNotNull().isNotSameAs(enc);
    e.close();
    assertThat(enc.bytes()).containsOnly(0);
    assertThat(dec.bytes()).containsOnly(0);
    assertThat(keys.handedOut).hasSize(4);
    assertThat(keys.allHandedOutKeysZeroed()).isTrue();
  }

  @Test
  void decryptCacheHitsMakeNoCalls() {
    EnvelopeEncryptor writer = open(builder());
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      messages.add(writer.encrypt(new byte[] {(byte) i}, A));
    }
    messages.add(writer.encrypt(new byte[] {10}, B));

    EnvelopeEncryptor reader = open(builder());
    for (int i = 0; i < 10; i++) {
      assertThat(reader.decrypt(messages.get(i), A)).containsExactly((byte) i);
    }
    assertThat(keys.decryptCalls.get()).isEqualTo(1);
    reader.decrypt(messages.get(10), B);
    assertThat(keys.decryptCalls.get()).isEqualTo(2);
    assertThat(reader.stats().decryptCacheHits()).isEqualTo(9);

    EnvelopeEncryptor uncached = open(builder().decryptCache(false));
    for (int i = 0; i < 10; i++) {
      uncached.decrypt(messages.get(i), A);
    }
    assertThat(keys.decryptCalls.get()).isEqualTo(12);
  }

  @Test
  void decryptCacheHonoursTheSameLimits() throws IOException {
    EnvelopeEncryptor writer = open(builder());
    byte[] m = writer.encrypt(new byte[10], A);
    EnvelopeEncryptor reader = open(builder().maxMessagesPerKey(2));
    reader.decrypt(m, A);
    reader.decrypt(m, A);
    assertThat(keys.decryptCalls.get()).isEqualTo(1);
    reader.decrypt(m, A);
    assertThat(keys.decryptCalls.get()).isEqualTo(2);
    DataKeyHolder held = reader.cachedDecryptKey(m);
    now.addAndGet(AGE);
    EnvelopeRoundTripTest.decryptStream(reader, m, A);
    assertThat(keys.decryptCalls.get()).isEqualTo(3);
    assertThat(held.bytes()).containsOnly(0);
  }

  @Test
  void aChangedContextNeverHitsTheDecryptCache() {
    EnvelopeEncryptor e = open(builder());
    byte[] m = e.encrypt(new byte[10], A);
    e.decrypt(m, A);
    assertThat(keys.decryptCalls.get()).isEqualTo(1);
    // Same wrapped key, context changed from "a" to "b": the fake (like the server) refuses it.
    byte[] changed = m.clone();
    int at = 37 + CanonicalContext.of(A).encoded().length - 1;
    changed[at] = 'b';
    assertThat(Message.header(changed).context()).isEqualTo(B);
    assertThatThrownBy(() -> e.decrypt(changed, null))
        .isInstanceOf(io.strongroom.client.InvalidCiphertextException.class);
    assertThat(keys.decryptCalls.get()).isEqualTo(2);
  }

  /**
   * Many threads on keys that retire every few messages: every message must decrypt, which it would
   * not if a zeroed key were ever used, and in the end every key handed out is zero.
   */
  @Test
  void concurrentRetirementNeverUsesAZeroedKey() throws Exception {
    EnvelopeEncryptor e =
        open(builder().maxMessagesPerKey(5).refreshAhead(0.5).refreshExecutor(Runnable::run));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<byte[]>>> all = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        all.add(
            pool.submit(
                () -> {
                  List<byte[]> out = new ArrayList<>();
                  for (int i = 0; i < 300; i++) {
                    out.add(e.encrypt(new byte[] {(byte) i}, i % 2 == 0 ? A : B));
                  }
                  return out;
                }));
      }
      List<byte[]> messages = new ArrayList<>();
      for (Future<List<byte[]>> f : all) {
        messages.addAll(f.get(30, TimeUnit.SECONDS));
      }
      try (EnvelopeEncryptor reader = builder().maxMessagesPerKey(3).build()) {
        for (byte[] m : messages) {
          reader.decrypt(m, null);
        }
      }
      e.close();
      assertThat(keys.allHandedOutKeysZeroed()).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void limitsAreValidated() {
    assertThatThrownBy(() -> builder().maxMessagesPerKey(1L << 32))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().maxMessagesPerKey(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().maxAge(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().refreshAhead(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().refreshAhead(1.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().maxBytesPerKey(0))
        .isInstanceOf(IllegalArgumentException.class);
    // The byte cap keeps the segments under one data-key-mode body key below ~1.5 * 2^32.
    assertThat(EnvelopeEncryptor.MAX_BYTES_LIMIT).isEqualTo(1L << 47);
    assertThatThrownBy(() -> builder().maxBytesPerKey((1L << 47) + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2^47");
    assertThatThrownBy(() -> builder().maxBytesPerKey(Long.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(builder().maxBytesPerKey(1L << 47)).isNotNull();
    assertThatThrownBy(() -> builder().maxCachedKeys(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(builder().maxMessagesPerKey((1L << 32) - 1)).isNotNull();
  }

  @Test
  void defaultsAreAsDocumented() {
    assertThat(EnvelopeEncryptor.DEFAULT_MAX_AGE).isEqualTo(Duration.ofMinutes(5));
    assertThat(EnvelopeEncryptor.DEFAULT_MAX_MESSAGES).isEqualTo(1L << 20);
    assertThat(EnvelopeEncryptor.DEFAULT_MAX_BYTES).isEqualTo(1L << 36);
    assertThat(EnvelopeEncryptor.DEFAULT_REFRESH_AHEAD).isEqualTo(0.75);
    // A default encryptor (real clock, background threads) works and closes.
    try (EnvelopeEncryptor e = EnvelopeEncryptor.builder().dataKeys(keys).keyName("k").build()) {
      ByteArrayOutputStream sink = new ByteArrayOutputStream();
      try (OutputStream out = e.encryptingStream(sink, A)) {
        out.write(1);
      } catch (IOException x) {
        throw new AssertionError(x);
      }
      assertThat(e.decrypt(sink.toByteArray(), A)).containsExactly(1);
    }
    assertThat(keys.allHandedOutKeysZeroed()).isTrue();
  }
}
