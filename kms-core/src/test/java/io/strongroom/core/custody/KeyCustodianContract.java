package io.strongroom.core.custody;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.core.KmsException;
import io.strongroom.core.ProtectionLevel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KeyCustodian} promises, whatever holds its material. A custodian's test class
 * extends this and supplies the custodian; the same tests then run against the software custodian,
 * the PKCS#11 custodian on a real token, and any later one.
 */
public abstract class KeyCustodianContract {
  private static final byte[] AAD = "tenant|header|context".getBytes(StandardCharsets.US_ASCII);

  /** The custodian under test (may be shared between tests). */
  protected abstract KeyCustodian custodian();

  protected abstract ProtectionLevel expectedLevel();

  /**
   * Whether {@link KeyCustodian#destroyVersion} removes the material itself (an HSM object), so
   * that the stored form no longer decrypts; false where the stored form is the (wrapped) material.
   */
  protected abstract boolean destroyRemovesMaterial();

  /** A version of a key no other test uses. */
  protected static VersionRef freshRef(int version) {
    byte[] id = new byte[16];
    ThreadLocalRandom.current().nextBytes(id);
    return new VersionRef("contract-tenant", HexFormat.of().formatHex(id), version);
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void reportsItsProtectionLevel() {
    assertThat(custodian().protection()).isEqualTo(expectedLevel());
  }

  @Test
  void roundTripsEverySize() throws Exception {
    VersionRef ref = freshRef(1);
    byte[] stored = custodian().createVersion(ref);
    for (int n : new int[] {0, 1, 16, 32, 64, 4096}) {
      byte[] plaintext = bytes(n);
      byte[] payload = custodian().encrypt(ref, stored, plaintext, AAD);
      assertThat(custodian().decrypt(ref, stored, payload, AAD))
          .as("%d bytes", n)
          .isEqualTo(plaintext);
    }
  }

  @Test
  void encryptionIsRandomized() throws Exception {
    VersionRef ref = freshRef(1);
    byte[] stored = custodian().createVersion(ref);
    byte[] a = custodian().encrypt(ref, stored, bytes(32), AAD);
    byte[] b = custodian().encrypt(ref, stored, bytes(32), AAD);
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void storedFormNeverHoldsThePlaintextItProtects() throws Exception {
    VersionRef ref = freshRef(1);
    byte[] stored = custodian().createVersion(ref);
    byte[] plaintext = bytes(32);
    byte[] payload = custodian().encrypt(ref, stored, plaintext, AAD);
    assertThat(HexFormat.of().formatHex(payload))
        .doesNotContain(HexFormat.of().formatHex(plaintext));
  }

  @Test
  void everyAlteredPayloadIsRefused() throws Exception {
    VersionRef ref = freshRef(1);
    byte[] stored = custodian().createVersion(ref);
    byte[] payload = custodian().encrypt(ref, stored, bytes(32), AAD);
    for (int i = 0; i < payload.length; i++) {
      byte[] t = payload.clone();
      t[i] ^= 0x01;
      int at = i;
      assertThatThrownBy(() -> custodian().decrypt(ref, stored, t, AAD))
          .as("byte %d flipped", at)
          .isInstanceOf(GeneralSecurityException.class);
    }
    for (int n = 0; n < payload.length; n++) {
      byte[] t = java.util.Arrays.copyOf(payload, n);
      assertThatThrownBy(() -> custodian().decrypt(ref, stored, t, AAD))
          .as("truncated to %d", n)
          .isInstanceOf(GeneralSecurityException.class);
    }
  }

  @Test
  void additionalDataIsBound() throws Exception {
    VersionRef ref = freshRef(1);
    byte[] stored = custodian().createVersion(ref);
    byte[] payload = custodian().encrypt(ref, stored, bytes(32), AAD);
    byte[] other = AAD.clone();
    other[0] ^= 1;
    assertThatThrownBy(() -> custodian().decrypt(ref, stored, payload, other))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> custodian().decrypt(ref, stored, payload, new byte[0]))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void versionsHaveIndependentMaterial() throws Exception {
    VersionRef v1 = freshRef(1);
    VersionRef v2 = new VersionRef(v1.tenant(), v1.keyId(), 2);
    byte[] s1 = custodian().createVersion(v1);
    byte[] s2 = custodian().createVersion(v2);
    assertThat(s1).isNotEqualTo(s2);
    byte[] payload = custodian().encrypt(v1, s1, bytes(32), AAD);
    assertThatThrownBy(() -> custodian().decrypt(v2, s2, payload, AAD))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void storedFormIsBoundToItsVersion() throws Exception {
    VersionRef v1 = freshRef(1);
    byte[] s1 = custodian().createVersion(v1);
    byte[] payload = custodian().encrypt(v1, s1, bytes(32), AAD);
    for (VersionRef other :
        List.of(
            new VersionRef(v1.tenant(), v1.keyId(), 2),
            new VersionRef(v1.tenant(), freshRef(1).keyId(), 1))) {
      assertThatThrownBy(() -> freshCustodianView().decrypt(other, s1, payload, AAD))
          .as("stored form of %s used as %s", v1, other)
          .isInstanceOf(GeneralSecurityException.class);
    }
  }

  /**
   * A custodian over the same backend with nothing cached (for the binding test); the custodian
   * itself where nothing is cached.
   */
  protected KeyCustodian freshCustodianView() {
    return custodian();
  }

  @Test
  void destroyIsIdempotentAndFinalWhereMaterialLivesInTheCustodian() throws Exception {
    VersionRef ref = freshRef(1);
    byte[] stored = custodian().createVersion(ref);
    byte[] payload = custodian().encrypt(ref, stored, bytes(32), AAD);
    custodian().destroyVersion(ref, stored);
    custodian().destroyVersion(ref, stored);
    if (destroyRemovesMaterial()) {
      assertThatThrownBy(() -> custodian().decrypt(ref, stored, payload, AAD))
          .isInstanceOfAny(GeneralSecurityException.class, KmsException.class);
    }
  }

  @Test
  void concurrentCallersAllGetCorrectResults() throws Exception {
    VersionRef ref = freshRef(1);
    byte[] stored = custodian().createVersion(ref);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int seed = t;
        results.add(
            pool.submit(
                () -> {
                  Random r = new Random(seed);
                  for (int i = 0; i < 50; i++) {
                    byte[] plaintext = new byte[32];
                    r.nextBytes(plaintext);
                    byte[] aad = ("t" + seed + "/" + i).getBytes(StandardCharsets.US_ASCII);
                    byte[] payload = custodian().encrypt(ref, stored, plaintext, aad);
                    assertThat(custodian().decrypt(ref, stored, payload, aad)).isEqualTo(plaintext);
                  }
                  return 50;
                }));
      }
      int done = 0;
      for (Future<Integer> f : results) {
        done += f.get();
      }
      assertThat(done).isEqualTo(800);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void isHealthy() throws Exception {
    custodian().checkHealth();
  }
}
