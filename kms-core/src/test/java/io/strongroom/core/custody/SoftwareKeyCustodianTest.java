package io.strongroom.core.custody;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.crypto.KeyMaterial;
import io.strongroom.core.crypto.XAesGcm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoftwareKeyCustodianTest {
  private static final String KEY_ID = "0123456789abcdef0123456789abcdef";
  private static final byte[] AAD = "blob aad".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;
  private final Random random = new Random(11);
  private LocalFileRootKey root;
  private SoftwareKeyCustodian custodian;
  private final VersionRef ref = new VersionRef("acme", KEY_ID, 1);

  @BeforeEach
  void setUp() throws Exception {
    root = LocalFileRootKey.loadOrCreate(dir.resolve("root.key"));
    custodian = new SoftwareKeyCustodian(root, Duration.ofMinutes(5), 100);
  }

  @Test
  void storedMaterialIsWrappedNeverPlaintext() throws Exception {
    byte[] stored = custodian.createVersion(ref);
    byte[] material = root.unwrap(stored, ref.bindingAad(SoftwareKeyCustodian.MATERIAL_LABEL));

    assertThat(material).hasSize(32);
    assertThat(stored).hasSize(1 + XAesGcm.OVERHEAD + 32);
    assertThat(Collections.indexOfSubList(list(stored), list(material))).isEqualTo(-1);
    // the wrapped material is the version's key: a payload opens with it directly
    byte[] payload = custodian.encrypt(ref, stored, bytes(50), AAD);
    assertThat(XAesGcm.create(material).decrypt(payload, AAD)).hasSize(50);
    assertThat(custodian.protection()).isEqualTo(ProtectionLevel.SOFTWARE);
  }

  @Test
  void everyVersionGetsFreshMaterial() throws Exception {
    byte[] a =
        root.unwrap(
            custodian.createVersion(ref), ref.bindingAad(SoftwareKeyCustodian.MATERIAL_LABEL));
    byte[] b =
        root.unwrap(
            custodian.createVersion(ref), ref.bindingAad(SoftwareKeyCustodian.MATERIAL_LABEL));
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void encryptsAndDecrypts() throws Exception {
    byte[] stored = custodian.createVersion(ref);
    byte[] plaintext = bytes(100);
    byte[] payload = custodian.encrypt(ref, stored, plaintext, AAD);

    assertThat(payload).hasSize(plaintext.length + XAesGcm.OVERHEAD);
    assertThat(custodian.decrypt(ref, stored, payload, AAD)).isEqualTo(plaintext);
    assertThat(custodian.encrypt(ref, stored, plaintext, AAD)).isNotEqualTo(payload);
    assertThatThrownBy(() -> custodian.decrypt(ref, stored, payload, new byte[0]))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> custodian.decrypt(ref, stored, new byte[XAesGcm.OVERHEAD - 1], AAD))
        .isInstanceOf(GeneralSecurityException.class);
    byte[] tampered = payload.clone();
    tampered[30] ^= 1;
    assertThatThrownBy(() -> custodian.decrypt(ref, stored, tampered, AAD))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void storedMaterialIsBoundToItsVersionRef() throws Exception {
    byte[] stored = custodian.createVersion(ref);
    byte[] payload = custodian.encrypt(ref, stored, bytes(10), AAD);

    for (VersionRef other :
        new VersionRef[] {
          new VersionRef("acme", KEY_ID, 2),
          new VersionRef("globex", KEY_ID, 1),
          new VersionRef("acme", "fedcba9876543210fedcba9876543210", 1)
        }) {
      // a fresh custodian: nothing cached, so the stored form must unwrap under the other ref
      SoftwareKeyCustodian fresh = new SoftwareKeyCustodian(root, Duration.ofMinutes(5), 100);
      assertThatThrownBy(() -> fresh.decrypt(other, stored, payload, AAD))
          .as("unwrap as %s", other)
          .isInstanceOf(GeneralSecurityException.class);
      assertThatThrownBy(() -> fresh.encrypt(other, stored, bytes(10), AAD))
          .isInstanceOf(GeneralSecurityException.class);
    }
  }

  @Test
  void bindingAadLayout() {
    // label || 0x00 || uint16 tenant length || tenant || key id (hex, ASCII) || uint32 version
    String expected =
        HexFormat.of().formatHex("lbl".getBytes(StandardCharsets.US_ASCII))
            + "00"
            + "0004"
            + "61636d65"
            + HexFormat.of().formatHex(KEY_ID.getBytes(StandardCharsets.US_ASCII))
            + "00000007";
    assertThat(HexFormat.of().formatHex(new VersionRef("acme", KEY_ID, 7).bindingAad("lbl")))
        .isEqualTo(expected);
  }

  @Test
  void evictionZeroesCachedMaterial() throws Exception {
    byte[] stored = custodian.createVersion(ref);
    byte[] payload = custodian.encrypt(ref, stored, bytes(10), AAD);
    KeyMaterial cached = custodian.cache().getIfPresent(ref);
    assertThat(cached).isNotNull();
    assertThat(cached.isDestroyed()).isFalse();
    assertThat(cached.toString()).doesNotContainPattern("[0-9a-f]{16}").contains("REDACTED");

    custodian.cache().invalidateAll();
    awaitRemovalListeners();

    assertThat(cached.isDestroyed()).isTrue();
    assertThatThrownBy(cached::aead).isInstanceOf(GeneralSecurityException.class);
    // the next use unwraps again into a new holder
    assertThat(custodian.decrypt(ref, stored, payload, AAD)).hasSize(10);
    KeyMaterial again = custodian.cache().getIfPresent(ref);
    assertThat(again).isNotSameAs(cached);
    assertThat(again.isDestroyed()).isFalse();
  }

  @Test
  void destroyVersionForgetsTheCachedCopy() throws Exception {
    byte[] stored = custodian.createVersion(ref);
    custodian.encrypt(ref, stored, bytes(10), AAD);
    KeyMaterial cached = custodian.cache().getIfPresent(ref);

    custodian.destroyVersion(ref, stored);
    awaitRemovalListeners();

    assertThat(custodian.cache().getIfPresent(ref)).isNull();
    assertThat(cached.isDestroyed()).isTrue();
  }

  @Test
  void sizeBoundEvictsAndZeroes() throws Exception {
    SoftwareKeyCustodian small = new SoftwareKeyCustodian(root, Duration.ofMinutes(5), 1);
    VersionRef other = new VersionRef("acme", KEY_ID, 2);
    byte[] stored1 = small.createVersion(ref);
    byte[] stored2 = small.createVersion(other);
    small.encrypt(ref, stored1, bytes(1), AAD);
    KeyMaterial first = small.cache().getIfPresent(ref);
    small.encrypt(other, stored2, bytes(1), AAD);
    small.cache().cleanUp();
    awaitRemovalListeners();

    java.util.Map<VersionRef, KeyMaterial> left = java.util.Map.copyOf(small.cache().asMap());
    assertThat(left).hasSize(1);
    assertThat(left.values()).noneMatch(KeyMaterial::isDestroyed);
    if (!left.containsKey(ref)) {
      assertThat(first.isDestroyed()).isTrue();
    }
    // both versions keep working whatever was evicted
    byte[] p1 = small.encrypt(ref, stored1, bytes(3), AAD);
    byte[] p2 = small.encrypt(other, stored2, bytes(3), AAD);
    assertThat(small.decrypt(ref, stored1, p1, AAD)).hasSize(3);
    assertThat(small.decrypt(other, stored2, p2, AAD)).hasSize(3);
  }

  @Test
  void validRequestsNeverFailWhileTheCacheEvicts() throws Exception {
    // a cache of size 0 evicts and zeroes every holder right after it was loaded, on another
    // thread: a holder zeroed between lookup and use must not fail a valid request
    SoftwareKeyCustodian uncached = new SoftwareKeyCustodian(root, Duration.ofMinutes(5), 0);
    VersionRef[] refs = {
      ref, new VersionRef("acme", KEY_ID, 2), new VersionRef("globex", KEY_ID, 1)
    };
    byte[][] stored = new byte[refs.length][];
    for (int i = 0; i < refs.length; i++) {
      stored[i] = uncached.createVersion(refs[i]);
    }
    int threads = 4;
    int opsPerThread = 3000;
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    java.util.concurrent.atomic.AtomicInteger failures =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<Throwable> first =
        new java.util.concurrent.atomic.AtomicReference<>();
    try {
      java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  byte[] plaintext = {1, 2, 3};
                  for (int i = 0; i < opsPerThread; i++) {
                    int k = (i + offset) % refs.length;
                    try {
                      byte[] p = uncached.encrypt(refs[k], stored[k], plaintext, AAD);
                      if (!java.util.Arrays.equals(
                          uncached.decrypt(refs[k], stored[k], p, AAD), plaintext)) {
                        throw new AssertionError("round trip changed the plaintext");
                      }
                    } catch (GeneralSecurityException | RuntimeException e) {
                      failures.incrementAndGet();
                      first.compareAndSet(null, e);
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (java.util.concurrent.Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(failures.get()).as("failed requests, first: %s", first.get()).isZero();
  }

  /** Caffeine runs removal listeners on its executor, the common pool: wait until it is idle. */
  private static void awaitRemovalListeners() {
    assertThat(ForkJoinPool.commonPool().awaitQuiescence(30, TimeUnit.SECONDS)).isTrue();
  }

  private static java.util.List<Byte> list(byte[] b) {
    java.util.List<Byte> l = new java.util.ArrayList<>(b.length);
    for (byte x : b) {
      l.add(x);
    }
    return l;
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
