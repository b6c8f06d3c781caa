package io.strongroom.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.strongroom.core.Blocking;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import io.strongroom.core.custody.KeyCustodian;
import io.strongroom.core.custody.VersionRef;
import io.strongroom.hsm.testing.SoftHsm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Security;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class Pkcs11TokenTest {
  private static final byte[] AAD = "aad".getBytes(StandardCharsets.US_ASCII);
  private static final String KEY_ID = "00112233445566778899aabbccddeeff";
  private static SimpleMeterRegistry metrics;
  private static Pkcs11Token token;

  @BeforeAll
  static void open() throws Exception {
    metrics = new SimpleMeterRegistry();
    token = Pkcs11Token.open(SoftHsm.config("strongroom-test"), metrics);
    token.ensureProbeKey();
  }

  @AfterAll
  static void close() {
    token.close();
  }

  private static Pkcs11Config with(String tokenLabel, Long slot, String pin) {
    Pkcs11Config c = SoftHsm.config("strongroom-test");
    return new Pkcs11Config(
        c.library(), tokenLabel, slot, pin.toCharArray(), 4, Duration.ofSeconds(5), c.probeLabel());
  }

  @Test
  void wrongPinStopsStartWithAClearMessage() {
    assertThatThrownBy(
            () ->
                Pkcs11Token.open(
                    with(SoftHsm.NEVER_LOGGED_IN, null, "0000"), new SimpleMeterRegistry()))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessage(
            "login to PKCS#11 token '"
                + SoftHsm.NEVER_LOGGED_IN
                + "' failed: wrong PIN (CKR_PIN_INCORRECT)");
  }

  @Test
  void missingTokenStopsStartNamingTheTokensThere() {
    assertThatThrownBy(() -> Pkcs11Token.open(with("no-such-token", null, SoftHsm.PIN), metrics))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageStartingWith("no PKCS#11 token labelled 'no-such-token' in ")
        .hasMessageContaining("'strongroom-test' (slot ");
    assertThatThrownBy(() -> Pkcs11Token.open(with(null, 987654L, SoftHsm.PIN), metrics))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageStartingWith("no initialised PKCS#11 token in slot 987654");
  }

  @Test
  void aMissingMechanismStopsStartNamingIt() {
    assertThatThrownBy(
            () -> Pkcs11Token.requireMechanisms(Security.getProvider("SUN"), "token 'x'"))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("CKM_AES_KEY_GEN")
        .hasMessageContaining("CKM_AES_GCM");
  }

  @Test
  void createdKeysAreSensitiveAndNeverExtractableTokenObjects() throws Exception {
    Pkcs11KeyCustodian custodian = new Pkcs11KeyCustodian(token);
    VersionRef ref = new VersionRef("acme", KEY_ID, 7);
    byte[] stored = custodian.createVersion(ref);
    String label = Pkcs11KeyCustodian.label(ref, stored);
    assertThat(label).matches("sr-" + KEY_ID + "-v7-[0-9a-f]{16}");
    assertThat(stored).hasSize(1 + label.length()); // a handle, no material

    String listing = SoftHsm.pkcs11Tool("strongroom-test", "--list-objects", "--type", "secrkey");
    int at = listing.indexOf("label:      " + label);
    assertThat(at).as(listing).isGreaterThanOrEqualTo(0);
    String object =
        listing.substring(
            listing.lastIndexOf("Secret Key Object", at),
            listing.indexOf("\n\n", at) < 0 ? listing.length() : listing.indexOf("\n\n", at));
    assertThat(object)
        .contains("AES length 32")
        .containsPattern("Access:\\s+sensitive, always sensitive, never extractable, local");
    assertThat(object).doesNotContain("Access:     extractable");
  }

  private static long hsmCalls() {
    return metrics.get("strongroom.hsm.calls").timers().stream().mapToLong(t -> t.count()).sum();
  }

  @Test
  void noTokenCallStartsWhereBlockingIsForbidden() throws Exception {
    Pkcs11KeyCustodian custodian = new Pkcs11KeyCustodian(token);
    VersionRef ref = new VersionRef("acme", KEY_ID, 9);
    byte[] stored = custodian.createVersion(ref);
    byte[] payload = custodian.encrypt(ref, stored, new byte[32], AAD);
    long callsBefore = hsmCalls();
    assertThatThrownBy(
            () -> Blocking.forbid(() -> custodian.encrypt(ref, stored, new byte[32], AAD)))
        .isInstanceOf(Blocking.WouldBlock.class);
    assertThatThrownBy(() -> Blocking.forbid(() -> custodian.decrypt(ref, stored, payload, AAD)))
        .isInstanceOf(Blocking.WouldBlock.class);
    assertThat(hsmCalls()).isEqualTo(callsBefore);
    assertThat(custodian.decrypt(ref, stored, payload, AAD)).isEqualTo(new byte[32]);
  }

  @Test
  void aHandleOfAnotherVersionIsRefused() throws Exception {
    Pkcs11KeyCustodian custodian = new Pkcs11KeyCustodian(token);
    VersionRef v1 = new VersionRef("acme", KEY_ID, 1);
    byte[] stored = custodian.createVersion(v1);
    byte[] payload = custodian.encrypt(v1, stored, new byte[32], AAD);
    assertThatThrownBy(
            () -> custodian.decrypt(new VersionRef("acme", KEY_ID, 2), stored, payload, AAD))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("another key version");
  }

  @Test
  void aDestroyedVersionIsGoneFromTheToken() throws Exception {
    Pkcs11KeyCustodian custodian = new Pkcs11KeyCustodian(token);
    VersionRef ref = new VersionRef("acme", KEY_ID, 3);
    byte[] stored = custodian.createVersion(ref);
    String label = Pkcs11KeyCustodian.label(ref, stored);
    custodian.destroyVersion(ref, stored);
    assertThat(token.exists(label)).isFalse();
    assertThat(SoftHsm.pkcs11Tool("strongroom-test", "--list-objects", "--type", "secrkey"))
        .doesNotContain(label);
    assertThatThrownBy(() -> custodian.encrypt(ref, stored, new byte[32], AAD))
        .isInstanceOf(KmsException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void anExistingLabelIsNeverReplaced() throws Exception {
    String label = "unique-" + System.nanoTime();
    token.createKey(label);
    byte[] ct = token.encrypt(label, new byte[32], AAD);
    assertThatThrownBy(() -> token.createKey(label))
        .isInstanceOf(KmsException.class)
        .extracting(e -> ((KmsException) e).code())
        .isEqualTo(ErrorCode.ALREADY_EXISTS);
    assertThat(token.decrypt(label, ct, AAD)).isEqualTo(new byte[32]);
  }

  @Test
  void theRootKeyIsFoundAgainByLabelAndNeverCreatedByLookup() throws Exception {
    String label = "root-" + System.nanoTime();
    assertThatThrownBy(() -> Pkcs11RootKey.open(token, label))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("no root key labelled '" + label + "'")
        .hasMessageContaining("--pkcs11-init --root-key pkcs11");
    assertThat(token.exists(label)).isFalse();

    byte[] wrapped = Pkcs11RootKey.create(token, label).wrap(new byte[32], AAD);
    // a second connection (as after a restart) finds the same key by its label
    try (Pkcs11Token again =
        Pkcs11Token.open(SoftHsm.config("strongroom-test"), new SimpleMeterRegistry())) {
      assertThat(Pkcs11RootKey.open(again, label).unwrap(wrapped, AAD)).isEqualTo(new byte[32]);
    }
  }

  @Test
  void callsBeyondTheSessionLimitWaitThenAreRefusedAsBusy() throws Exception {
    Pkcs11Config base = SoftHsm.config("strongroom-test");
    SimpleMeterRegistry m = new SimpleMeterRegistry();
    try (Pkcs11Token one =
        Pkcs11Token.open(
            new Pkcs11Config(
                base.library(),
                base.tokenLabel(),
                null,
                base.pin(),
                1,
                Duration.ofMillis(50),
                base.probeLabel()),
            m)) {
      one.sessionPool().acquire(); // the only session is taken
      try {
        assertThatThrownBy(one::checkHealth)
            .isInstanceOf(KmsException.class)
            .extracting(e -> ((KmsException) e).code())
            .isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
      } finally {
        one.sessionPool().release();
      }
      one.checkHealth();
      assertThat(m.get("strongroom.hsm.sessions.waits").counter().count()).isEqualTo(1.0);
      assertThat(m.get("strongroom.hsm.calls").tag("outcome", "busy").timer().count()).isEqualTo(1);
      assertThat(
              m.get("strongroom.hsm.calls")
                  .tag("op", "encrypt")
                  .tag("outcome", "ok")
                  .timer()
                  .count())
          .isEqualTo(1);
      assertThat(m.get("strongroom.hsm.sessions.limit").gauge().value()).isEqualTo(1.0);
    }
  }

  /**
   * The token's raw calls (one C_EncryptInit carrying the AAD, then C_Encrypt) make standard
   * AES-256-GCM with the AAD bound: SunPKCS11's own Cipher, which Strongroom used before, opens
   * what the token makes and makes what the token opens, so blobs from either stay readable.
   */
  @Test
  void theRawCallsAreAesGcmAsSunPkcs11sCipherMakesIt() throws Exception {
    String label = "sr-ver-" + KEY_ID + "-70";
    token.createKey(label);
    java.security.Provider jca =
        Security.getProvider("SunPKCS11")
            .configure(
                "--name = jca-check\nlibrary = \""
                    + SoftHsm.library()
                    + "\"\nslot = "
                    + token.slot()
                    + "\n");
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS11", jca);
    ks.load(null, SoftHsm.PIN.toCharArray());
    javax.crypto.SecretKey key = (javax.crypto.SecretKey) ks.getKey(label, null);
    byte[] plaintext = "thirty-two bytes of a data key..".getBytes(StandardCharsets.US_ASCII);

    byte[] made = token.encrypt(label, plaintext, AAD);
    javax.crypto.Cipher open = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding", jca);
    open.init(
        javax.crypto.Cipher.DECRYPT_MODE,
        key,
        new javax.crypto.spec.GCMParameterSpec(128, made, 0, 12));
    open.updateAAD(AAD);
    assertThat(open.doFinal(made, 12, made.length - 12)).isEqualTo(plaintext);

    byte[] iv = new byte[12];
    new java.security.SecureRandom().nextBytes(iv);
    javax.crypto.Cipher seal = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding", jca);
    seal.init(
        javax.crypto.Cipher.ENCRYPT_MODE, key, new javax.crypto.spec.GCMParameterSpec(128, iv));
    seal.updateAAD(AAD);
    byte[] ct = seal.doFinal(plaintext);
    byte[] old = new byte[12 + ct.length];
    System.arraycopy(iv, 0, old, 0, 12);
    System.arraycopy(ct, 0, old, 12, ct.length);
    assertThat(token.decrypt(label, old, AAD)).isEqualTo(plaintext);

    // the AAD is bound, and a refused tag leaves the token serving
    assertThatThrownBy(() -> token.decrypt(label, old, "other".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(javax.crypto.AEADBadTagException.class);
    old[old.length - 1] ^= 1;
    assertThatThrownBy(() -> token.decrypt(label, old, AAD))
        .isInstanceOf(javax.crypto.AEADBadTagException.class);
    assertThat(token.isUp()).isTrue();
    assertThat(token.decrypt(label, made, AAD)).isEqualTo(plaintext);
    assertThat(
            metrics
                .get("strongroom.hsm.calls")
                .tag("op", "decrypt")
                .tag("outcome", "rejected")
                .timer()
                .count())
        .isGreaterThanOrEqualTo(2);
  }

  /**
   * Two objects with one label (made outside Strongroom) are refused rather than guessed between.
   * On a token of its own: SunPKCS11's key store refuses to load a token with such a pair.
   */
  @Test
  void aLabelThatTwoObjectsShareIsRefused() throws Exception {
    try (Pkcs11Token extra =
        Pkcs11Token.open(SoftHsm.config("strongroom-extra"), new SimpleMeterRegistry())) {
      String label = "sr-ver-" + KEY_ID + "-71";
      Wrapper.generateAesKey(SoftHsm.library(), extra.slot(), label);
      Wrapper.generateAesKey(SoftHsm.library(), extra.slot(), label);
      assertThatThrownBy(() -> extra.encrypt(label, new byte[32], AAD))
          .isInstanceOf(KmsException.class)
          .hasMessageContaining("more than one secret key in the HSM is labelled " + label)
          .extracting(e -> ((KmsException) e).code())
          .isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(extra.isUp()).isTrue();
    }
  }

  /**
   * Inside a scope (a batch) the first call takes a session permit and keeps it for the next calls,
   * whatever they end in, until the scope closes; a scope inside a scope changes nothing.
   */
  @Test
  void aScopeKeepsOneSessionForItsCallsAndGivesItBackWhenClosed() throws Exception {
    String label = "sr-ver-" + KEY_ID + "-72";
    token.createKey(label);
    java.util.concurrent.Semaphore pool = token.sessionPool();
    int free = pool.availablePermits();
    KeyCustodian.Scope scope = token.keepSession();
    try {
      assertThat(pool.availablePermits()).isEqualTo(free);
      byte[] ct = token.encrypt(label, new byte[32], AAD);
      assertThat(pool.availablePermits()).isEqualTo(free - 1);
      KeyCustodian.Scope inner = token.keepSession();
      assertThat(token.decrypt(label, ct, AAD)).isEqualTo(new byte[32]);
      inner.close();
      assertThat(pool.availablePermits()).isEqualTo(free - 1);
      assertThatThrownBy(() -> token.decrypt(label, ct, new byte[] {1}))
          .isInstanceOf(javax.crypto.AEADBadTagException.class);
      assertThatThrownBy(() -> token.encrypt("sr-ver-" + KEY_ID + "-73", new byte[32], AAD))
          .isInstanceOf(KmsException.class);
      assertThat(pool.availablePermits()).isEqualTo(free - 1);
    } finally {
      scope.close();
    }
    assertThat(pool.availablePermits()).isEqualTo(free);
    token.encrypt(label, new byte[32], AAD);
    assertThat(pool.availablePermits()).isEqualTo(free);
  }

  @Test
  void describesItselfWithoutSecrets() {
    assertThat(token.describe())
        .contains("token 'strongroom-test'")
        .contains("SoftHSM")
        .doesNotContainIgnoringCase("pin");
    assertThat(SoftHsm.config("strongroom-test").toString())
        .contains("pin=REDACTED")
        .doesNotContain("1234");
  }

  static Path tokenDir(String label) throws Exception {
    return SoftHsm.tokenDirectory(label);
  }
}
