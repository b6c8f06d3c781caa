package io.strongroom.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.core.Caller;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.Role;
import io.strongroom.core.crypto.CiphertextBlob;
import io.strongroom.core.custody.LocalFileRootKey;
import io.strongroom.core.testing.KmsFixture;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile ciphertext through the decrypt and re-encrypt use cases: every flipped bit, every
 * truncation, every context change and every foreign blob answers the same INVALID_CIPHERTEXT, so
 * no oracle tells them apart.
 */
class TamperTest {
  private static final Caller ACME_ADMIN = KmsFixture.caller("acme", "admin", Role.KEY_ADMIN);
  private static final Caller ACME_USER = KmsFixture.caller("acme", "app", Role.KEY_USER);
  private static final Caller GLOBEX_ADMIN = KmsFixture.caller("globex", "admin", Role.KEY_ADMIN);
  private static final Caller GLOBEX_USER = KmsFixture.caller("globex", "app", Role.KEY_USER);
  private static final Map<String, String> CONTEXT =
      Map.of("purpose", "tamper-test", "table", "customers");

  @TempDir Path dir;
  private KmsFixture kms;
  private final byte[] plaintext = new byte[32];
  private byte[] blob;
  private final Set<String> messages = new LinkedHashSet<>();

  @BeforeEach
  void setUp() throws Exception {
    kms = KmsFixture.create(LocalFileRootKey.loadOrCreate(dir.resolve("root.key")));
    kms.withTenants("acme", "globex");
    new Random(3).nextBytes(plaintext);
    kms.keys()
        .create(
            ACME_ADMIN, "acme", new NewKey("orders", ProtectionLevel.SOFTWARE, null, null, null));
    blob = kms.crypto().encrypt(ACME_USER, "acme", "orders", plaintext, CONTEXT).ciphertext();
    // versions 2 and 3 exist and are enabled: a flipped version number may name one of them
    kms.keys().rotate(ACME_ADMIN, "acme", "orders", OptionalLong.empty());
    kms.keys().rotate(ACME_ADMIN, "acme", "orders", OptionalLong.empty());
    kms.keys()
        .create(
            GLOBEX_ADMIN,
            "globex",
            new NewKey("orders", ProtectionLevel.SOFTWARE, null, null, null));
  }

  @Test
  void untouchedBlobDecrypts() {
    var d = kms.crypto().decrypt(ACME_USER, "acme", blob, CONTEXT);
    assertThat(d.plaintext()).isEqualTo(plaintext);
    assertThat(d.keyVersion()).isEqualTo(1);
    assertThat(blob).hasSize(CiphertextBlob.HEADER_LENGTH + 40 + plaintext.length);
  }

  @Test
  void everyFlippedBitIsInvalidCiphertext() {
    for (int i = 0; i < blob.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] t = blob.clone();
        t[i] ^= (byte) (1 << bit);
        assertInvalid(
            () -> kms.crypto().decrypt(ACME_USER, "acme", t, CONTEXT), "byte " + i + " bit " + bit);
      }
    }
    assertOneMessage();
  }

  @Test
  void everyFlippedByteIsInvalidCiphertextForReEncrypt() {
    for (int i = 0; i < blob.length; i++) {
      byte[] t = blob.clone();
      t[i] ^= (byte) 0xff;
      assertInvalid(
          () -> kms.crypto().reEncrypt(ACME_USER, "acme", t, CONTEXT, null, null), "byte " + i);
    }
    assertOneMessage();
  }

  @Test
  void everyTruncationIsInvalidCiphertext() {
    for (int n = 0; n < blob.length; n++) {
      byte[] t = Arrays.copyOf(blob, n);
      assertInvalid(() -> kms.crypto().decrypt(ACME_USER, "acme", t, CONTEXT), "length " + n);
    }
    byte[] longer = Arrays.copyOf(blob, blob.length + 1);
    assertInvalid(() -> kms.crypto().decrypt(ACME_USER, "acme", longer, CONTEXT), "one byte more");
    assertOneMessage();
  }

  @Test
  void contextMustMatchExactly() {
    Map<String, String> wrongValue = new HashMap<>(CONTEXT);
    wrongValue.put("table", "orders");
    Map<String, String> extra = new HashMap<>(CONTEXT);
    extra.put("extra", "");
    Map<String, String> missing = new HashMap<>(CONTEXT);
    missing.remove("table");
    Map<String, String> renamed = new HashMap<>(missing);
    renamed.put("Table", "customers");
    List<Map<String, String>> wrong =
        List.of(wrongValue, extra, missing, renamed, Map.of(), Map.of("purpose", "tamper-test"));
    for (Map<String, String> ctx : wrong) {
      assertInvalid(() -> kms.crypto().decrypt(ACME_USER, "acme", blob, ctx), "context " + ctx);
      assertInvalid(
          () -> kms.crypto().reEncrypt(ACME_USER, "acme", blob, ctx, null, CONTEXT),
          "re-encrypt " + ctx);
    }
    assertInvalid(() -> kms.crypto().decrypt(ACME_USER, "acme", blob, null), "null context");
    assertOneMessage();
  }

  @Test
  void blobOfAnotherTenantIsInvalidCiphertext() {
    // globex has its own key of the same name; the blob names acme's key id
    assertInvalid(() -> kms.crypto().decrypt(GLOBEX_USER, "globex", blob, CONTEXT), "foreign");
    assertInvalid(
        () -> kms.crypto().reEncrypt(GLOBEX_USER, "globex", blob, CONTEXT, "orders", null),
        "foreign re-encrypt");

    // even pointed at globex's own key id and version, acme's payload does not open there
    String globexKeyId = kms.keys().get(GLOBEX_ADMIN, "globex", "orders").key().id();
    byte[] renamed = blob.clone();
    System.arraycopy(HexFormat.of().parseHex(globexKeyId), 0, renamed, 1, 16);
    assertInvalid(
        () -> kms.crypto().decrypt(GLOBEX_USER, "globex", renamed, CONTEXT), "re-pointed");

    // and a tampered blob says exactly the same
    byte[] tampered = blob.clone();
    tampered[tampered.length - 1] ^= 1;
    assertInvalid(() -> kms.crypto().decrypt(ACME_USER, "acme", tampered, CONTEXT), "tampered");
    assertOneMessage();
  }

  @Test
  void blobPointedAtAnotherKeyOfTheSameTenantIsInvalidCiphertext() {
    kms.keys()
        .create(
            ACME_ADMIN, "acme", new NewKey("other", ProtectionLevel.SOFTWARE, null, null, null));
    String otherId = kms.keys().get(ACME_ADMIN, "acme", "other").key().id();
    byte[] t = blob.clone();
    System.arraycopy(HexFormat.of().parseHex(otherId), 0, t, 1, 16);
    assertInvalid(() -> kms.crypto().decrypt(ACME_USER, "acme", t, CONTEXT), "other key");
  }

  @Test
  void nullCiphertextIsAnInvalidArgument() {
    assertThatThrownBy(() -> kms.crypto().decrypt(ACME_USER, "acme", null, CONTEXT))
        .isInstanceOf(KmsException.class)
        .satisfies(
            e -> assertThat(((KmsException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }

  private void assertInvalid(ThrowingCallable call, String what) {
    assertThatThrownBy(call)
        .as(what)
        .isInstanceOf(KmsException.class)
        .satisfies(
            e -> {
              assertThat(((KmsException) e).code())
                  .as(what)
                  .isEqualTo(ErrorCode.INVALID_CIPHERTEXT);
              messages.add(e.getMessage());
            });
  }

  private void assertOneMessage() {
    assertThat(messages).hasSize(1);
  }
}
