package io.strongroom.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.strongroom.core.Caller;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.KeyVersion;
import io.strongroom.core.KmsException;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.Role;
import io.strongroom.core.custody.VersionRef;
import io.strongroom.core.service.NewKey;
import io.strongroom.core.testing.KmsFixture;
import io.strongroom.hsm.testing.SoftHsm;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The use cases over a real token, with the clock under the test's control: an HSM key's versions
 * are token objects, rotation makes a new one, and destroying a version deletes its object only
 * once the pending window has passed. The root key is in the token too.
 */
class HsmKeyLifecycleTest {
  private static final String T = "acme";
  private static final Caller ADMIN = KmsFixture.caller(T, "admin", Role.KEY_ADMIN);
  private static final Caller USER = KmsFixture.caller(T, "app", Role.KEY_USER);
  private static final OptionalLong ANY = OptionalLong.empty();
  private static Pkcs11Token token;
  private static KmsFixture kms;

  @BeforeAll
  static void open() throws Exception {
    token = Pkcs11Token.open(SoftHsm.config("strongroom-test"), new SimpleMeterRegistry());
    token.ensureProbeKey();
    Pkcs11RootKey root = Pkcs11RootKey.create(token, "lifecycle-root-" + System.nanoTime());
    kms = KmsFixture.create(root, new Pkcs11KeyCustodian(token)).withTenants(T);
  }

  @AfterAll
  static void close() {
    token.close();
  }

  private String label(String key, int version) throws Exception {
    var ring = kms.stores().keys().findByName(T, key).orElseThrow();
    KeyVersion v =
        ring.versions().stream().filter(x -> x.number() == version).findFirst().orElseThrow();
    return Pkcs11KeyCustodian.label(new VersionRef(T, ring.key().id(), version), v.material());
  }

  @Test
  void createUseRotateAndDestroyAfterThePendingWindow() throws Exception {
    kms.keys().create(ADMIN, T, new NewKey("vault", ProtectionLevel.HSM, null, null, null));
    String v1 = label("vault", 1);
    assertThat(token.exists(v1)).isTrue();

    var dataKey = kms.crypto().generateDataKey(USER, T, "vault", 32, Map.of("db", "orders"), true);
    byte[] blob1 = dataKey.ciphertext();
    assertThat(kms.crypto().decrypt(USER, T, blob1, Map.of("db", "orders")).plaintext())
        .isEqualTo(dataKey.plaintext());
    assertThatThrownBy(() -> kms.crypto().decrypt(USER, T, blob1, Map.of("db", "other")))
        .isInstanceOf(KmsException.class)
        .extracting(e -> ((KmsException) e).code())
        .isEqualTo(ErrorCode.INVALID_CIPHERTEXT);

    kms.keys().rotate(ADMIN, T, "vault", ANY);
    String v2 = label("vault", 2);
    assertThat(v2).isNotEqualTo(v1);
    assertThat(token.exists(v2)).isTrue();
    byte[] blob2 = kms.crypto().encrypt(USER, T, "vault", new byte[] {9}, Map.of()).ciphertext();
    assertThat(kms.crypto().decrypt(USER, T, blob1, Map.of("db", "orders")).plaintext())
        .isEqualTo(dataKey.plaintext());

    kms.keys().scheduleDestroyVersion(ADMIN, T, "vault", 1, ANY, 7);
    kms.clock().advance(Duration.ofDays(6));
    assertThat(kms.keys().destroyDue(due -> {}).destroyed()).isEmpty();
    assertThat(token.exists(v1)).isTrue();
    kms.clock().advance(Duration.ofDays(1));
    assertThat(kms.keys().destroyDue(due -> {}).destroyed()).hasSize(1);
    assertThat(token.exists(v1)).isFalse();
    assertThat(SoftHsm.pkcs11Tool("strongroom-test", "--list-objects", "--type", "secrkey"))
        .doesNotContain(v1)
        .contains(v2);
    assertThatThrownBy(() -> kms.crypto().decrypt(USER, T, blob1, Map.of("db", "orders")))
        .isInstanceOf(KmsException.class);
    assertThat(kms.crypto().decrypt(USER, T, blob2, Map.of()).plaintext()).containsExactly(9);
  }
}
