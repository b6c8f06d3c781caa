package io.strongroom.core.service;

import static io.strongroom.core.testing.KmsAssertions.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.core.Caller;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.Key;
import io.strongroom.core.KeyRing;
import io.strongroom.core.KeyState;
import io.strongroom.core.KeyVersion;
import io.strongroom.core.KmsException;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.Role;
import io.strongroom.core.crypto.CiphertextBlob;
import io.strongroom.core.custody.LocalFileRootKey;
import io.strongroom.core.testing.FakeHsmCustodian;
import io.strongroom.core.testing.KmsFixture;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Custodian objects are never orphaned: every object a custodian creates ends up referenced by a
 * stored version or destroyed, whatever fails. With an HSM an orphan is a token object that nobody
 * can find again; a caller able to trigger failures could fill the token.
 */
class CustodianHygieneTest {
  private static final String T = "acme";
  private static final Caller ADMIN = KmsFixture.caller(T, "admin", Role.KEY_ADMIN);
  private static final Caller USER = KmsFixture.caller(T, "app", Role.KEY_USER);
  private static final OptionalLong ANY = OptionalLong.empty();

  @TempDir Path dir;
  private final FakeHsmCustodian hsm = new FakeHsmCustodian();
  private KmsFixture kms;

  @BeforeEach
  void setUp() throws Exception {
    kms = KmsFixture.create(LocalFileRootKey.loadOrCreate(dir.resolve("root.key")), hsm);
    kms.withTenants(T);
  }

  @Test
  void aKeyWhoseTokenIsDownDoesNotHoldUpTheOthersAndIsDestroyedLater() {
    kms.keys().create(ADMIN, T, hsmKey("vault", null, null, null));
    kms.keys().create(ADMIN, T, new NewKey("soft", ProtectionLevel.SOFTWARE, null, null, null));
    for (String key : List.of("vault", "soft")) {
      kms.keys().rotate(ADMIN, T, key, ANY);
      kms.keys().scheduleDestroyVersion(ADMIN, T, key, 1, ANY, 7);
    }
    kms.clock().advance(Duration.ofDays(7));
    hsm.down(true);
    KeyService.DestroyRun first = kms.keys().destroyDue(due -> {});
    assertThat(first.destroyed()).containsExactly(new KeyService.Destroyed(T, "soft", 1));
    assertThat(first.failures()).singleElement().asString().contains("UNAVAILABLE");
    assertThat(hsm.liveHandles()).hasSize(2);

    hsm.down(false);
    KeyService.DestroyRun second = kms.keys().destroyDue(due -> {});
    assertThat(second.destroyed()).containsExactly(new KeyService.Destroyed(T, "vault", 1));
    assertThat(second.failures()).isEmpty();
    assertThat(hsm.liveHandles()).hasSize(1);
    assertNoOrphans();
    assertThat(kms.keys().destroyDue(due -> {}).destroyed()).isEmpty();
  }

  /**
   * What is due is announced (to the server's audit log) before any material goes, and an
   * announcement that fails keeps all of it for the next run.
   */
  @Test
  void destructionIsAnnouncedFirstAndARefusedAnnouncementDestroysNothing() {
    kms.keys().create(ADMIN, T, hsmKey("vault", null, null, null));
    kms.keys().rotate(ADMIN, T, "vault", ANY);
    kms.keys().scheduleDestroyVersion(ADMIN, T, "vault", 1, ANY, 7);
    kms.clock().advance(Duration.ofDays(7));
    assertThat(hsm.liveHandles()).hasSize(2);

    KeyService.DestroyRun refused =
        kms.keys()
            .destroyDue(
                due -> {
                  throw KmsException.unavailable("the audit log is down", null);
                });
    assertThat(refused.destroyed()).isEmpty();
    assertThat(refused.failures()).singleElement().asString().contains("UNAVAILABLE");
    assertThat(hsm.liveHandles()).hasSize(2);
    assertThat(kms.stores().keys().findByName(T, "vault").orElseThrow().versions().get(0).state())
        .isEqualTo(KeyState.DESTROY_SCHEDULED);

    List<List<KeyService.Destroyed>> announced = new ArrayList<>();
    KeyService.DestroyRun run =
        kms.keys()
            .destroyDue(
                due -> {
                  assertThat(hsm.liveHandles()).hasSize(2); // nothing deleted yet
                  announced.add(due);
                });
    assertThat(announced).containsExactly(List.of(new KeyService.Destroyed(T, "vault", 1)));
    assertThat(run.destroyed()).containsExactly(new KeyService.Destroyed(T, "vault", 1));
    assertThat(hsm.liveHandles()).hasSize(1);
    assertNoOrphans();
  }

  /**
   * A batch runs its items in one scope of the custodians' (an HSM session kept for all of them),
   * closed at the end even when items fail; single requests run outside any.
   */
  @Test
  void aBatchRunsItsItemsInOneCustodianScope() {
    kms.keys().create(ADMIN, T, hsmKey("vault", null, null, null));
    Map<String, String> ctx = Map.of("app", "batch");
    byte[] blob = kms.crypto().encrypt(USER, T, "vault", new byte[8], ctx).ciphertext();
    assertThat(hsm.scopes()).containsExactly(0, 0, 0);

    List<CryptoService.BatchOutcome> out =
        kms.crypto()
            .batch(
                USER,
                T,
                List.of(
                    new BatchItem.GenerateDataKey("vault", null, ctx, false),
                    new BatchItem.Decrypt(blob, ctx),
                    new BatchItem.Decrypt(blob, Map.of("app", "other")),
                    new BatchItem.Encrypt("vault", new byte[4], ctx)));

    assertThat(out.get(2).error().code()).isEqualTo(ErrorCode.INVALID_CIPHERTEXT);
    assertThat(hsm.scopes()).containsExactly(1, 0, 4);
    kms.crypto().decrypt(USER, T, blob, ctx);
    assertThat(hsm.scopes()).containsExactly(1, 0, 4);
  }

  /**
   * Items are checked and prepared before the scope opens: those that fail there never reach the
   * custodian, and a batch of nothing but such items never opens a scope (takes no HSM session).
   */
  @Test
  void aBatchPreparesItsItemsBeforeTheCustodianScope() {
    kms.keys().create(ADMIN, T, hsmKey("vault", null, null, null));
    Map<String, String> ctx = Map.of("app", "batch");
    byte[] blob = kms.crypto().encrypt(USER, T, "vault", new byte[8], ctx).ciphertext();
    byte[] foreign = blob.clone();
    foreign[5] ^= 1; // another key id: no such key in this tenant

    List<CryptoService.BatchOutcome> failing =
        kms.crypto()
            .batch(
                USER,
                T,
                List.of(
                    new BatchItem.GenerateDataKey("nope", null, ctx, false),
                    new BatchItem.GenerateDataKey("vault", 8, ctx, false),
                    new BatchItem.Decrypt(foreign, ctx),
                    new BatchItem.Encrypt("vault", null, ctx)));
    assertThat(failing)
        .extracting(o -> o.error().code())
        .containsExactly(
            ErrorCode.NOT_FOUND,
            ErrorCode.INVALID_ARGUMENT,
            ErrorCode.INVALID_CIPHERTEXT,
            ErrorCode.INVALID_ARGUMENT);
    assertThat(hsm.scopes()).containsExactly(0, 0, 0);

    List<CryptoService.BatchOutcome> mixed =
        kms.crypto()
            .batch(
                USER,
                T,
                List.of(
                    new BatchItem.GenerateDataKey("nope", null, ctx, false),
                    new BatchItem.Decrypt(blob, ctx),
                    new BatchItem.ReEncrypt(blob, ctx, "nope", null)));
    assertThat(mixed.get(0).error().code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(((CryptoResults.Decrypted) mixed.get(1).result()).plaintext()).hasSize(8);
    assertThat(mixed.get(2).error().code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(hsm.scopes()).containsExactly(1, 0, 2); // two decryptions; no encryption
  }

  @Test
  void hsmKeyLivesInTheTokenAndIsDestroyedThere() {
    kms.keys().create(ADMIN, T, hsmKey("vault", null, null, null));
    byte[] blob = kms.crypto().encrypt(USER, T, "vault", new byte[] {7}, Map.of()).ciphertext();
    assertThat(blob[21]).isEqualTo((byte) 0x02);
    assertThat(CiphertextBlob.parse(blob).protection()).isEqualTo(ProtectionLevel.HSM);
    assertThat(kms.crypto().decrypt(USER, T, blob, Map.of()).plaintext()).containsExactly(7);

    kms.keys().rotate(ADMIN, T, "vault", ANY);
    assertThat(hsm.liveHandles()).hasSize(2);
    assertNoOrphans();

    kms.keys().scheduleDestroyVersion(ADMIN, T, "vault", 1, ANY, 7);
    kms.clock().advance(Duration.ofDays(7));
    assertThat(kms.keys().destroyDue(due -> {}).destroyed()).hasSize(1);
    assertThat(hsm.liveHandles()).hasSize(1);
    assertNoOrphans();
    assertCode(() -> kms.crypto().decrypt(USER, T, blob, Map.of()), ErrorCode.FAILED_PRECONDITION);

    // a SOFTWARE blob relabelled as HSM does not open
    kms.keys().create(ADMIN, T, new NewKey("soft", ProtectionLevel.SOFTWARE, null, null, null));
    byte[] soft = kms.crypto().encrypt(USER, T, "soft", new byte[] {1}, Map.of()).ciphertext();
    soft[21] = 0x02;
    assertCode(() -> kms.crypto().decrypt(USER, T, soft, Map.of()), ErrorCode.INVALID_CIPHERTEXT);
  }

  @Test
  void invalidCreateRequestsLeaveNoObjectInTheToken() {
    List<NewKey> invalid =
        List.of(
            hsmKey("k1", Duration.ofHours(1), null, null),
            hsmKey("k2", Duration.ofDays(4000), null, null),
            hsmKey("k3", null, "d".repeat(Key.MAX_DESCRIPTION + 1), null),
            hsmKey("k4", null, null, Map.of("Not-Lower", "v")),
            hsmKey("k5", null, null, Map.of("ok", "v".repeat(64))));
    for (NewKey req : invalid) {
      assertCode(() -> kms.keys().create(ADMIN, T, req), ErrorCode.INVALID_ARGUMENT);
    }
    assertThat(kms.stores().keys().list(T, null, 100)).isEmpty();
    assertThat(hsm.liveHandles()).isEmpty();
  }

  @Test
  void duplicateCreateLeavesNoObjectInTheToken() {
    kms.keys().create(ADMIN, T, hsmKey("vault", null, null, null));
    assertCode(
        () -> kms.keys().create(ADMIN, T, hsmKey("vault", null, null, null)),
        ErrorCode.ALREADY_EXISTS);
    assertThat(hsm.liveHandles()).hasSize(1);
    assertNoOrphans();
  }

  @Test
  void refusedRotationLeavesNoObjectInTheToken() {
    kms.keys().create(ADMIN, T, hsmKey("vault", null, null, null));
    kms.keys().scheduleDestroy(ADMIN, T, "vault", ANY, 7);
    for (int i = 0; i < 3; i++) {
      assertCode(() -> kms.keys().rotate(ADMIN, T, "vault", ANY), ErrorCode.FAILED_PRECONDITION);
    }
    assertCode(() -> kms.keys().rotate(ADMIN, T, "vault", OptionalLong.of(99)), ErrorCode.CONFLICT);
    assertThat(hsm.liveHandles()).hasSize(1);
    assertNoOrphans();

    kms.clock().advance(Duration.ofDays(7));
    assertThat(kms.keys().destroyDue(due -> {}).destroyed())
        .containsExactly(
            new KeyService.Destroyed(T, "vault", 1), new KeyService.Destroyed(T, "vault", null));
    assertCode(() -> kms.keys().rotate(ADMIN, T, "vault", ANY), ErrorCode.FAILED_PRECONDITION);
    assertThat(hsm.liveHandles()).isEmpty();
  }

  private void assertNoOrphans() {
    Set<ByteBuffer> stored = new HashSet<>();
    for (Key k : kms.stores().keys().list(T, null, 1000)) {
      KeyRing ring = kms.stores().keys().findById(T, k.id()).orElseThrow();
      for (KeyVersion v : ring.versions()) {
        if (v.protection() == ProtectionLevel.HSM && v.material() != null) {
          stored.add(ByteBuffer.wrap(v.material()));
        }
      }
    }
    assertThat(hsm.liveHandles()).isEqualTo(stored);
  }

  private static NewKey hsmKey(
      String name, Duration rotation, String description, Map<String, String> labels) {
    return new NewKey(name, ProtectionLevel.HSM, rotation, description, labels);
  }
}
