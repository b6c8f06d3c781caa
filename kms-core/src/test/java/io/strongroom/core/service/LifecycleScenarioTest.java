package io.strongroom.core.service;

import static io.strongroom.core.testing.KmsAssertions.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.core.Caller;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.Key;
import io.strongroom.core.KeyPatch;
import io.strongroom.core.KeyRing;
import io.strongroom.core.KeyState;
import io.strongroom.core.KeyVersion;
import io.strongroom.core.Page;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.Role;
import io.strongroom.core.custody.LocalFileRootKey;
import io.strongroom.core.custody.VersionRef;
import io.strongroom.core.service.CryptoResults.DataKey;
import io.strongroom.core.service.CryptoResults.Decrypted;
import io.strongroom.core.service.CryptoResults.Encrypted;
import io.strongroom.core.service.CryptoResults.ReEncrypted;
import io.strongroom.core.testing.KmsFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key lifecycle scenarios through the use cases, in the manner of Vault transit's
 * testBackendRotation: rotate, then decrypt every old version; raise the floor, expect refusals;
 * disable, destroy, re-encrypt.
 */
class LifecycleScenarioTest {
  private static final String T = "acme";
  private static final Caller ADMIN = KmsFixture.caller(T, "admin", Role.KEY_ADMIN);
  private static final Caller USER = KmsFixture.caller(T, "app", Role.KEY_USER);
  private static final Map<String, String> CTX = Map.of("purpose", "lifecycle");
  private static final OptionalLong ANY = OptionalLong.empty();

  @TempDir Path dir;
  private KmsFixture kms;
  private final Random random = new Random(17);

  /** A blob with the plaintext it holds and the version that made it. */
  @SuppressWarnings("ArrayRecordComponent")
  private record Made(byte[] blob, byte[] plaintext, int version) {}

  @BeforeEach
  void setUp() throws Exception {
    kms = KmsFixture.create(LocalFileRootKey.loadOrCreate(dir.resolve("root.key")));
    kms.withTenants(T);
  }

  @Test
  void rotationKeepsEveryOldBlobReadable() {
    Instant t0 = kms.clock().instant();
    KeyRing created =
        kms.keys()
            .create(
                ADMIN,
                T,
                new NewKey(
                    "orders",
                    ProtectionLevel.SOFTWARE,
                    Duration.ofDays(30),
                    "orders",
                    Map.of("team", "shop")));
    assertThat(created.key().primaryVersion()).isEqualTo(1);
    assertThat(created.key().revision()).isEqualTo(1);
    assertThat(created.key().nextRotationAt()).isEqualTo(t0.plus(Duration.ofDays(30)));

    List<Made> made = new ArrayList<>();
    made.add(encrypt("orders"));
    DataKey dk = kms.crypto().generateDataKey(USER, T, "orders", null, CTX, true);
    assertThat(dk.keyVersion()).isEqualTo(1);
    made.add(new Made(dk.ciphertext(), dk.plaintext(), 1));

    for (int v = 2; v <= 5; v++) {
      Instant now = kms.clock().advance(Duration.ofDays(1));
      KeyRing r = kms.keys().rotate(ADMIN, T, "orders", ANY);
      assertThat(r.key().primaryVersion()).isEqualTo(v);
      assertThat(r.key().latestVersion()).isEqualTo(v);
      assertThat(r.key().nextRotationAt()).isEqualTo(now.plus(Duration.ofDays(30)));
      assertThat(r.versions()).hasSize(v).allMatch(x -> x.state() == KeyState.ENABLED);
      Made m = encrypt("orders");
      assertThat(m.version()).isEqualTo(v);
      made.add(m);
      assertAllDecrypt(made);
    }

    // an older version made primary encrypts again, then the newest comes back
    kms.keys().makePrimary(ADMIN, T, "orders", 2, ANY);
    assertThat(encrypt("orders").version()).isEqualTo(2);
    kms.keys().makePrimary(ADMIN, T, "orders", 5, ANY);
    assertThat(encrypt("orders").version()).isEqualTo(5);
    assertCode(() -> kms.keys().makePrimary(ADMIN, T, "orders", 6, ANY), ErrorCode.NOT_FOUND);

    // raising the decrypt floor refuses older blobs, newer ones still decrypt
    KeyRing floored = kms.keys().update(ADMIN, T, "orders", ANY, floors(null, 3));
    assertThat(floored.key().minDecryptVersion()).isEqualTo(3);
    for (Made m : made) {
      if (m.version() < 3) {
        assertCode(() -> decrypt(m), ErrorCode.FAILED_PRECONDITION);
        assertCode(
            () -> kms.crypto().reEncrypt(USER, T, m.blob(), CTX, null, null),
            ErrorCode.FAILED_PRECONDITION);
      } else {
        assertThat(decrypt(m).plaintext()).isEqualTo(m.plaintext());
      }
    }
    assertCode(
        () -> kms.keys().update(ADMIN, T, "orders", ANY, floors(null, 6)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> kms.keys().update(ADMIN, T, "orders", ANY, floors(null, 0)),
        ErrorCode.INVALID_ARGUMENT);

    // the encrypt floor bounds make-primary
    kms.keys().update(ADMIN, T, "orders", ANY, floors(5, null));
    assertCode(
        () -> kms.keys().makePrimary(ADMIN, T, "orders", 4, ANY), ErrorCode.FAILED_PRECONDITION);

    // lowering the floor again makes old blobs readable: a floor is a setting, not destruction
    kms.keys().update(ADMIN, T, "orders", ANY, floors(1, 1));
    assertAllDecrypt(made);

    // re-encrypting an old blob under the same key moves it to the primary version
    Made v1 = made.get(0);
    ReEncrypted re = kms.crypto().reEncrypt(USER, T, v1.blob(), CTX, null, null);
    assertThat(re.keyVersion()).isEqualTo(5);
    assertThat(re.sourceKey()).isEqualTo("orders");
    assertThat(re.sourceKeyVersion()).isEqualTo(1);
    assertThat(decrypt(new Made(re.ciphertext(), v1.plaintext(), 5)).plaintext())
        .isEqualTo(v1.plaintext());
  }

  @Test
  void disabledKeyNeitherEncryptsNorDecrypts() {
    create("orders");
    Made m = encrypt("orders");

    KeyRing disabled = kms.keys().disable(ADMIN, T, "orders", ANY);
    assertThat(disabled.key().state()).isEqualTo(KeyState.DISABLED);
    assertCode(() -> encrypt("orders"), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> decrypt(m), ErrorCode.FAILED_PRECONDITION);
    assertCode(
        () -> kms.crypto().generateDataKey(USER, T, "orders", 32, CTX, false),
        ErrorCode.FAILED_PRECONDITION);
    assertCode(
        () -> kms.crypto().reEncrypt(USER, T, m.blob(), CTX, null, null),
        ErrorCode.FAILED_PRECONDITION);
    // still configurable while disabled
    assertThat(kms.keys().rotate(ADMIN, T, "orders", ANY).key().primaryVersion()).isEqualTo(2);
    kms.keys().disable(ADMIN, T, "orders", ANY);

    assertThat(kms.keys().enable(ADMIN, T, "orders", ANY).key().state())
        .isEqualTo(KeyState.ENABLED);
    assertThat(decrypt(m).plaintext()).isEqualTo(m.plaintext());
    assertThat(encrypt("orders").version()).isEqualTo(2);
  }

  @Test
  void disabledVersionRefusesItsBlobsOnly() {
    create("orders");
    Made v1 = encrypt("orders");
    kms.keys().rotate(ADMIN, T, "orders", ANY);
    Made v2 = encrypt("orders");

    KeyRing r = kms.keys().disableVersion(ADMIN, T, "orders", 1, ANY);
    assertThat(r.version(1).orElseThrow().state()).isEqualTo(KeyState.DISABLED);
    assertCode(() -> decrypt(v1), ErrorCode.FAILED_PRECONDITION);
    assertThat(decrypt(v2).plaintext()).isEqualTo(v2.plaintext());
    assertCode(
        () -> kms.keys().makePrimary(ADMIN, T, "orders", 1, ANY), ErrorCode.FAILED_PRECONDITION);

    kms.keys().enableVersion(ADMIN, T, "orders", 1, ANY);
    assertThat(decrypt(v1).plaintext()).isEqualTo(v1.plaintext());

    // a disabled primary version cannot encrypt
    kms.keys().disableVersion(ADMIN, T, "orders", 2, ANY);
    assertCode(() -> encrypt("orders"), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> kms.keys().disableVersion(ADMIN, T, "orders", 3, ANY), ErrorCode.NOT_FOUND);
  }

  @Test
  void versionDestructionIsScheduledCancellableAndFinal() {
    create("orders");
    Made v1 = encrypt("orders");
    kms.keys().rotate(ADMIN, T, "orders", ANY);
    Made v2 = encrypt("orders");

    assertCode(() -> scheduleVersion(1, 6), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> scheduleVersion(1, 31), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> scheduleVersion(2, 7), ErrorCode.FAILED_PRECONDITION); // the primary
    assertCode(() -> scheduleVersion(9, 7), ErrorCode.NOT_FOUND);
    assertCode(
        () -> kms.keys().cancelDestroyVersion(ADMIN, T, "orders", 1, ANY),
        ErrorCode.FAILED_PRECONDITION);

    Instant now = kms.clock().instant();
    KeyVersion scheduled = scheduleVersion(1, 7).version(1).orElseThrow();
    assertThat(scheduled.state()).isEqualTo(KeyState.DESTROY_SCHEDULED);
    assertThat(scheduled.destroyAt()).isEqualTo(now.plus(Duration.ofDays(7)));
    assertCode(() -> decrypt(v1), ErrorCode.FAILED_PRECONDITION);
    assertCode(
        () -> kms.keys().enableVersion(ADMIN, T, "orders", 1, ANY), ErrorCode.FAILED_PRECONDITION);

    KeyVersion cancelled =
        kms.keys().cancelDestroyVersion(ADMIN, T, "orders", 1, ANY).version(1).orElseThrow();
    assertThat(cancelled.state()).isEqualTo(KeyState.DISABLED);
    assertThat(cancelled.destroyAt()).isNull();
    kms.keys().enableVersion(ADMIN, T, "orders", 1, ANY);
    assertThat(decrypt(v1).plaintext()).isEqualTo(v1.plaintext());

    Instant scheduledAt = kms.clock().instant();
    scheduleVersion(1, 30);
    kms.clock().advance(Duration.ofDays(30).minusMillis(1));
    assertThat(kms.keys().destroyDue(due -> {}).destroyed()).isEmpty();
    assertThat(storedVersion("orders", 1).state()).isEqualTo(KeyState.DESTROY_SCHEDULED);

    kms.clock().set(scheduledAt.plus(Duration.ofDays(30)));
    String keyId = kms.keys().get(ADMIN, T, "orders").key().id();
    assertThat(kms.software().cache().getIfPresent(new VersionRef(T, keyId, 1))).isNotNull();
    assertThat(kms.keys().destroyDue(due -> {}).destroyed()).hasSize(1);

    KeyVersion destroyed = storedVersion("orders", 1);
    assertThat(destroyed.state()).isEqualTo(KeyState.DESTROYED);
    assertThat(destroyed.material()).isNull();
    assertThat(kms.software().cache().getIfPresent(new VersionRef(T, keyId, 1))).isNull();
    assertThat(storedVersion("orders", 2).material()).isNotNull();
    assertCode(() -> decrypt(v1), ErrorCode.FAILED_PRECONDITION);
    assertThat(decrypt(v2).plaintext()).isEqualTo(v2.plaintext());
    assertCode(
        () -> kms.keys().enableVersion(ADMIN, T, "orders", 1, ANY), ErrorCode.FAILED_PRECONDITION);
    assertCode(
        () -> kms.keys().cancelDestroyVersion(ADMIN, T, "orders", 1, ANY),
        ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> scheduleVersion(1, 7), ErrorCode.FAILED_PRECONDITION);
    assertThat(kms.keys().destroyDue(due -> {}).destroyed()).isEmpty();
  }

  @Test
  void keyDestructionShredsEveryVersion() {
    create("orders");
    Made v1 = encrypt("orders");
    kms.keys().rotate(ADMIN, T, "orders", ANY);
    kms.keys().rotate(ADMIN, T, "orders", ANY);

    assertCode(
        () -> kms.keys().scheduleDestroy(ADMIN, T, "orders", ANY, 6), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> kms.keys().scheduleDestroy(ADMIN, T, "orders", ANY, 31), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> kms.keys().cancelDestroy(ADMIN, T, "orders", ANY), ErrorCode.FAILED_PRECONDITION);

    Instant now = kms.clock().instant();
    KeyRing scheduled = kms.keys().scheduleDestroy(ADMIN, T, "orders", ANY, 30);
    assertThat(scheduled.key().state()).isEqualTo(KeyState.DESTROY_SCHEDULED);
    assertThat(scheduled.key().destroyAt()).isEqualTo(now.plus(Duration.ofDays(30)));
    assertCode(() -> encrypt("orders"), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> decrypt(v1), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> kms.keys().rotate(ADMIN, T, "orders", ANY), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> kms.keys().enable(ADMIN, T, "orders", ANY), ErrorCode.FAILED_PRECONDITION);

    KeyRing cancelled = kms.keys().cancelDestroy(ADMIN, T, "orders", ANY);
    assertThat(cancelled.key().state()).isEqualTo(KeyState.DISABLED);
    assertThat(cancelled.key().destroyAt()).isNull();
    kms.keys().enable(ADMIN, T, "orders", ANY);
    assertThat(decrypt(v1).plaintext()).isEqualTo(v1.plaintext());

    // one version destroyed on its own first: the key's destruction counts only the others
    kms.keys().scheduleDestroyVersion(ADMIN, T, "orders", 1, ANY, 7);
    kms.clock().advance(Duration.ofDays(7));
    assertThat(kms.keys().destroyDue(due -> {}).destroyed()).hasSize(1);

    kms.keys().scheduleDestroy(ADMIN, T, "orders", ANY, 7);
    kms.clock().advance(Duration.ofDays(7));
    assertThat(kms.keys().destroyDue(due -> {}).destroyed())
        .containsExactly(
            new KeyService.Destroyed(T, "orders", 2),
            new KeyService.Destroyed(T, "orders", 3),
            new KeyService.Destroyed(T, "orders", null));

    KeyRing gone = kms.stores().keys().findByName(T, "orders").orElseThrow();
    assertThat(gone.key().state()).isEqualTo(KeyState.DESTROYED);
    assertThat(gone.versions())
        .hasSize(3)
        .allSatisfy(
            v -> {
              assertThat(v.state()).isEqualTo(KeyState.DESTROYED);
              assertThat(v.material()).isNull();
            });
    assertCode(() -> decrypt(v1), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> encrypt("orders"), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> kms.keys().enable(ADMIN, T, "orders", ANY), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> kms.keys().rotate(ADMIN, T, "orders", ANY), ErrorCode.FAILED_PRECONDITION);
    assertCode(
        () ->
            kms.keys()
                .update(ADMIN, T, "orders", ANY, new KeyPatch(null, false, "x", null, null, null)),
        ErrorCode.FAILED_PRECONDITION);
    assertThat(kms.keys().destroyDue(due -> {}).destroyed()).isEmpty();
    // the name stays taken: a destroyed key's blobs must never open under a new key
    assertCode(() -> create("orders"), ErrorCode.ALREADY_EXISTS);
  }

  @Test
  void reEncryptMovesABlobToAnotherKeyAndContext() {
    create("orders");
    create("archive");
    Made m = encrypt("orders");
    Map<String, String> archived = Map.of("purpose", "archive", "year", "2026");

    ReEncrypted re = kms.crypto().reEncrypt(USER, T, m.blob(), CTX, "archive", archived);
    assertThat(re.key()).isEqualTo("archive");
    assertThat(re.keyVersion()).isEqualTo(1);
    assertThat(re.sourceKey()).isEqualTo("orders");
    assertThat(re.sourceKeyVersion()).isEqualTo(1);

    Decrypted d = kms.crypto().decrypt(USER, T, re.ciphertext(), archived);
    assertThat(d.plaintext()).isEqualTo(m.plaintext());
    assertThat(d.key()).isEqualTo("archive");
    assertCode(
        () -> kms.crypto().decrypt(USER, T, re.ciphertext(), CTX), ErrorCode.INVALID_CIPHERTEXT);

    // without a destination context the source context carries over
    ReEncrypted same = kms.crypto().reEncrypt(USER, T, m.blob(), CTX, "archive", null);
    assertThat(kms.crypto().decrypt(USER, T, same.ciphertext(), CTX).plaintext())
        .isEqualTo(m.plaintext());

    assertCode(
        () -> kms.crypto().reEncrypt(USER, T, m.blob(), archived, "archive", null),
        ErrorCode.INVALID_CIPHERTEXT);
    assertCode(
        () -> kms.crypto().reEncrypt(USER, T, m.blob(), CTX, "missing", null), ErrorCode.NOT_FOUND);
    kms.keys().disable(ADMIN, T, "archive", ANY);
    assertCode(
        () -> kms.crypto().reEncrypt(USER, T, m.blob(), CTX, "archive", null),
        ErrorCode.FAILED_PRECONDITION);
  }

  @Test
  void dataKeys() {
    create("orders");
    DataKey withoutPlaintext = kms.crypto().generateDataKey(USER, T, "orders", null, CTX, false);
    assertThat(withoutPlaintext.plaintext()).isNull();
    assertThat(withoutPlaintext.toString()).contains("REDACTED");
    byte[] opened = kms.crypto().decrypt(USER, T, withoutPlaintext.ciphertext(), CTX).plaintext();
    assertThat(opened).hasSize(CryptoService.DEFAULT_DATA_KEY);

    for (int bytes : new int[] {16, 32, 64}) {
      DataKey dk = kms.crypto().generateDataKey(USER, T, "orders", bytes, CTX, true);
      assertThat(dk.plaintext()).hasSize(bytes);
      assertThat(kms.crypto().decrypt(USER, T, dk.ciphertext(), CTX).plaintext())
          .isEqualTo(dk.plaintext());
    }
    DataKey a = kms.crypto().generateDataKey(USER, T, "orders", 32, CTX, true);
    DataKey b = kms.crypto().generateDataKey(USER, T, "orders", 32, CTX, true);
    assertThat(a.plaintext()).isNotEqualTo(b.plaintext());

    for (int bytes : new int[] {-1, 0, 15, 65, 1024}) {
      assertCode(
          () -> kms.crypto().generateDataKey(USER, T, "orders", bytes, CTX, true),
          ErrorCode.INVALID_ARGUMENT);
    }
    assertCode(
        () -> kms.crypto().generateDataKey(USER, T, "missing", 32, CTX, true), ErrorCode.NOT_FOUND);
  }

  @Test
  void plaintextSizeLimit() {
    create("orders");
    byte[] max = bytes(CryptoService.MAX_PLAINTEXT);
    Encrypted e = kms.crypto().encrypt(USER, T, "orders", max, CTX);
    assertThat(kms.crypto().decrypt(USER, T, e.ciphertext(), CTX).plaintext()).isEqualTo(max);
    assertThat(
            kms.crypto()
                .decrypt(
                    USER,
                    T,
                    kms.crypto().encrypt(USER, T, "orders", new byte[0], CTX).ciphertext(),
                    CTX)
                .plaintext())
        .isEmpty();

    assertCode(
        () ->
            kms.crypto().encrypt(USER, T, "orders", new byte[CryptoService.MAX_PLAINTEXT + 1], CTX),
        ErrorCode.PAYLOAD_TOO_LARGE);
    assertCode(
        () -> kms.crypto().encrypt(USER, T, "orders", null, CTX), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> kms.crypto().encrypt(USER, T, "missing", new byte[1], CTX), ErrorCode.NOT_FOUND);
    Map<String, String> badContext = Map.of("", "v");
    assertCode(
        () -> kms.crypto().encrypt(USER, T, "orders", new byte[1], badContext),
        ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void staleIfMatchIsAConflict() {
    long r1 = create("orders").key().revision();
    assertCode(
        () -> kms.keys().rotate(ADMIN, T, "orders", OptionalLong.of(r1 + 1)), ErrorCode.CONFLICT);
    KeyRing rotated = kms.keys().rotate(ADMIN, T, "orders", OptionalLong.of(r1));
    assertThat(rotated.key().revision()).isEqualTo(r1 + 1);

    KeyPatch describe = new KeyPatch(null, false, "new description", null, null, null);
    assertCode(
        () -> kms.keys().update(ADMIN, T, "orders", OptionalLong.of(r1), describe),
        ErrorCode.CONFLICT);
    assertCode(
        () -> kms.keys().disable(ADMIN, T, "orders", OptionalLong.of(r1)), ErrorCode.CONFLICT);
    KeyRing stored = kms.keys().get(ADMIN, T, "orders");
    assertThat(stored.key().revision()).isEqualTo(r1 + 1);
    assertThat(stored.key().description()).isNull();
    assertThat(stored.versions()).hasSize(2);

    KeyRing updated = kms.keys().update(ADMIN, T, "orders", OptionalLong.of(r1 + 1), describe);
    assertThat(updated.key().revision()).isEqualTo(r1 + 2);
    assertThat(updated.key().description()).isEqualTo("new description");
  }

  @Test
  void settingsChange() {
    create("orders");
    Instant now = kms.clock().advance(Duration.ofHours(1));
    KeyRing r =
        kms.keys()
            .update(
                ADMIN,
                T,
                "orders",
                ANY,
                new KeyPatch(
                    Duration.ofDays(90), false, "desc", Map.of("env", "prod"), null, null));
    assertThat(r.key().rotationPeriod()).isEqualTo(Duration.ofDays(90));
    assertThat(r.key().nextRotationAt()).isEqualTo(now.plus(Duration.ofDays(90)));
    assertThat(r.key().labels()).containsExactly(Map.entry("env", "prod"));
    r =
        kms.keys()
            .update(ADMIN, T, "orders", ANY, new KeyPatch(null, true, null, null, null, null));
    assertThat(r.key().rotationPeriod()).isNull();
    assertThat(r.key().nextRotationAt()).isNull();
    assertThat(r.key().description()).isEqualTo("desc");

    for (KeyPatch bad :
        List.of(
            new KeyPatch(Duration.ofHours(23), false, null, null, null, null),
            new KeyPatch(Duration.ofDays(3651), false, null, null, null, null),
            new KeyPatch(null, false, "x".repeat(1025), null, null, null),
            new KeyPatch(null, false, null, Map.of("Bad", "x"), null, null),
            new KeyPatch(null, false, null, Map.of("ok", "x".repeat(64)), null, null),
            new KeyPatch(null, false, null, null, 2, null))) {
      assertCode(() -> kms.keys().update(ADMIN, T, "orders", ANY, bad), ErrorCode.INVALID_ARGUMENT);
    }
  }

  @Test
  void batchAnswersEveryItemInOrder() {
    create("orders");
    Made m = encrypt("orders");
    List<BatchItem> items =
        List.of(
            new BatchItem.Encrypt("orders", bytes(10), CTX),
            new BatchItem.Encrypt("missing", bytes(10), CTX),
            new BatchItem.Decrypt(m.blob(), CTX),
            new BatchItem.Decrypt(new byte[] {1, 2, 3}, CTX),
            new BatchItem.GenerateDataKey("orders", 15, CTX, true),
            new BatchItem.GenerateDataKey("orders", null, CTX, false),
            new BatchItem.ReEncrypt(m.blob(), CTX, null, Map.of("purpose", "moved")),
            new BatchItem.Encrypt("orders", new byte[CryptoService.MAX_PLAINTEXT + 1], CTX),
            new BatchItem.Decrypt(m.blob(), Map.of()));

    List<CryptoService.BatchOutcome> out = kms.crypto().batch(USER, T, items);

    assertThat(out).hasSize(items.size());
    assertThat(out.get(0).result()).isInstanceOf(Encrypted.class);
    assertThat(out.get(1).error().code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(((Decrypted) out.get(2).result()).plaintext()).isEqualTo(m.plaintext());
    assertThat(out.get(3).error().code()).isEqualTo(ErrorCode.INVALID_CIPHERTEXT);
    assertThat(out.get(4).error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(((DataKey) out.get(5).result()).plaintext()).isNull();
    assertThat(out.get(6).result()).isInstanceOf(ReEncrypted.class);
    assertThat(out.get(7).error().code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(out.get(8).error().code()).isEqualTo(ErrorCode.INVALID_CIPHERTEXT);
    for (CryptoService.BatchOutcome o : out) {
      assertThat(o.result() == null).isNotEqualTo(o.error() == null);
    }
    byte[] encrypted = ((Encrypted) out.get(0).result()).ciphertext();
    assertThat(kms.crypto().decrypt(USER, T, encrypted, CTX).plaintext()).hasSize(10);
    byte[] moved = ((ReEncrypted) out.get(6).result()).ciphertext();
    assertThat(kms.crypto().decrypt(USER, T, moved, Map.of("purpose", "moved")).plaintext())
        .isEqualTo(m.plaintext());
  }

  /**
   * A batch's data keys come from one DRBG request per batch (and single requests past the pool):
   * every key has its requested size, all differ, and each opens to itself.
   */
  @Test
  void batchDataKeysHaveTheirSizesAndAreAllDifferent() {
    create("orders");
    List<BatchItem> items = new ArrayList<>();
    int[] sizes = new int[CryptoService.MAX_BATCH];
    for (int i = 0; i < sizes.length; i++) {
      // mostly 64-byte keys: they outrun the pool sized for 32-byte ones
      sizes[i] = i % 10 == 0 ? 16 : i % 10 == 1 ? 32 : 64;
      items.add(new BatchItem.GenerateDataKey("orders", sizes[i], CTX, true));
    }
    List<CryptoService.BatchOutcome> out = kms.crypto().batch(USER, T, items);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < sizes.length; i++) {
      DataKey k = (DataKey) out.get(i).result();
      assertThat(k.plaintext()).hasSize(sizes[i]);
      assertThat(seen.add(HexFormat.of().formatHex(k.plaintext()))).isTrue();
      if (i % 97 == 0) {
        assertThat(kms.crypto().decrypt(USER, T, k.ciphertext(), CTX).plaintext())
            .isEqualTo(k.plaintext());
      }
    }
  }

  @Test
  void batchSizeIsBounded() {
    create("orders");
    assertCode(() -> kms.crypto().batch(USER, T, List.of()), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> kms.crypto().batch(USER, T, null), ErrorCode.INVALID_ARGUMENT);
    BatchItem item = new BatchItem.Encrypt("orders", new byte[] {1}, CTX);
    assertCode(
        () -> kms.crypto().batch(USER, T, Collections.nCopies(CryptoService.MAX_BATCH + 1, item)),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(kms.crypto().batch(USER, T, List.of(item))).hasSize(1);
    assertThat(kms.crypto().batch(USER, T, Collections.nCopies(CryptoService.MAX_BATCH, item)))
        .hasSize(CryptoService.MAX_BATCH)
        .allSatisfy(o -> assertThat(o.error()).isNull());
  }

  @Test
  void createValidatesItsRequest() {
    assertCode(
        () ->
            kms.keys()
                .create(ADMIN, T, new NewKey("hsm-key", ProtectionLevel.HSM, null, null, null)),
        ErrorCode.FAILED_PRECONDITION);
    assertCode(
        () ->
            kms.keys()
                .create(
                    ADMIN, T, new NewKey("ext-key", ProtectionLevel.EXTERNAL, null, null, null)),
        ErrorCode.FAILED_PRECONDITION);
    assertThat(kms.stores().keys().findByName(T, "hsm-key")).isEmpty();
    assertCode(
        () -> kms.keys().create(ADMIN, T, new NewKey("k", null, null, null, null)),
        ErrorCode.INVALID_ARGUMENT);
    for (String bad : new String[] {"", "-lead", "has space", "ünï", "x".repeat(129)}) {
      assertCode(() -> create(bad), ErrorCode.INVALID_ARGUMENT);
    }
    for (NewKey bad :
        List.of(
            new NewKey("k", ProtectionLevel.SOFTWARE, Duration.ofHours(1), null, null),
            new NewKey("k", ProtectionLevel.SOFTWARE, null, "x".repeat(1025), null),
            new NewKey("k", ProtectionLevel.SOFTWARE, null, null, Map.of("UPPER", "v")))) {
      assertCode(() -> kms.keys().create(ADMIN, T, bad), ErrorCode.INVALID_ARGUMENT);
    }
    assertThat(kms.stores().keys().list(T, null, 10)).isEmpty();
    create("k");
    assertCode(() -> create("k"), ErrorCode.ALREADY_EXISTS);
  }

  @Test
  void keysAreListedInPages() {
    List<String> names = List.of("a1", "a2", "b1", "b2", "c1");
    for (String n : names) {
      create(n);
    }
    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      Page<Key> page = kms.keys().list(USER, T, 2, token);
      page.items().forEach(k -> seen.add(k.name()));
      token = page.nextPageToken();
      pages++;
    } while (token != null);
    assertThat(seen).isEqualTo(names);
    assertThat(pages).isEqualTo(3);
    assertThat(kms.keys().list(USER, T, null, null).items()).hasSize(5);
    assertCode(() -> kms.keys().list(USER, T, 0, null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> kms.keys().list(USER, T, 1001, null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> kms.keys().list(USER, T, 2, "!!not a token!!"), ErrorCode.INVALID_ARGUMENT);
    assertThat(kms.keys().getVersion(USER, T, "a1", 1).state()).isEqualTo(KeyState.ENABLED);
    assertCode(() -> kms.keys().getVersion(USER, T, "a1", 2), ErrorCode.NOT_FOUND);
  }

  // ---------------------------------------------------------------- helpers

  private KeyRing create(String name) {
    return kms.keys()
        .create(ADMIN, T, new NewKey(name, ProtectionLevel.SOFTWARE, null, null, null));
  }

  private KeyRing scheduleVersion(int version, int days) {
    return kms.keys().scheduleDestroyVersion(ADMIN, T, "orders", version, ANY, days);
  }

  private KeyVersion storedVersion(String name, int version) {
    return kms.stores().keys().findByName(T, name).orElseThrow().version(version).orElseThrow();
  }

  private Made encrypt(String key) {
    byte[] plaintext = (key + " secret " + random.nextLong()).getBytes(StandardCharsets.UTF_8);
    Encrypted e = kms.crypto().encrypt(USER, T, key, plaintext, CTX);
    assertThat(e.key()).isEqualTo(key);
    return new Made(e.ciphertext(), plaintext, e.keyVersion());
  }

  private Decrypted decrypt(Made m) {
    return kms.crypto().decrypt(USER, T, m.blob(), CTX);
  }

  private void assertAllDecrypt(List<Made> made) {
    for (Made m : made) {
      Decrypted d = decrypt(m);
      assertThat(d.plaintext()).isEqualTo(m.plaintext());
      assertThat(d.keyVersion()).isEqualTo(m.version());
    }
  }

  private static KeyPatch floors(Integer minEncrypt, Integer minDecrypt) {
    return new KeyPatch(null, false, null, null, minEncrypt, minDecrypt);
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
