package io.strongroom.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.core.Key;
import io.strongroom.core.KeyRing;
import io.strongroom.core.KeyState;
import io.strongroom.core.KeyVersion;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.Role;
import io.strongroom.core.custody.LocalFileRootKey;
import io.strongroom.core.custody.SoftwareKeyCustodian;
import io.strongroom.core.custody.VersionRef;
import io.strongroom.core.service.CryptoResults.Decrypted;
import io.strongroom.core.testing.KmsFixture;
import io.strongroom.core.testing.Vectors;
import io.strongroom.core.testing.Vectors.Block;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The frozen blobs of {@code vectors/blob-v1.txt} (written once by release 0.1) still parse, bind
 * to the same additional data, and decrypt: with the raw version key, through the SOFTWARE
 * custodian from the stored (root-wrapped) material, and through the decrypt use case.
 */
class BlobVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  @TempDir Path dir;

  static Stream<Arguments> vectors() {
    return Vectors.load("vectors/blob-v1.txt").stream()
        .map(v -> Arguments.of(v.get("description"), v));
  }

  @Test
  void fileHoldsEveryVector() {
    List<Block> all = Vectors.load("vectors/blob-v1.txt");
    assertThat(all).hasSize(6);
    assertThat(all).extracting(v -> v.get("tenant")).contains("acme", "globex", "tenant-42");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void blobParsesAndDecryptsWithTheVersionKey(String description, Block v) throws Exception {
    byte[] blobBytes = HEX.parseHex(v.get("blobHex"));
    CiphertextBlob blob = CiphertextBlob.parse(blobBytes);
    assertThat(blob.keyIdHex()).isEqualTo(v.get("keyIdHex"));
    assertThat(blob.version()).isEqualTo(Integer.parseInt(v.get("version")));
    assertThat(blob.protection()).isEqualTo(ProtectionLevel.valueOf(v.get("protection")));
    assertThat(blob.toBytes()).isEqualTo(blobBytes);

    EncryptionContext ctx = EncryptionContext.of(v.context());
    assertThat(HEX.formatHex(ctx.canonical())).isEqualTo(v.get("contextCanonicalHex"));
    byte[] aad = aad(v, v.get("tenant"), ctx);
    assertThat(HEX.formatHex(aad)).isEqualTo(v.get("aadHex"));
    assertThat(blob.aad(v.get("tenant"), ctx)).isEqualTo(aad);

    byte[] plaintext =
        XAesGcm.create(HEX.parseHex(v.get("materialHex"))).decrypt(blob.payload(), aad);
    assertThat(HEX.formatHex(plaintext)).isEqualTo(v.get("plaintextHex"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void blobIsBoundToItsTenantContextAndHeader(String description, Block v) throws Exception {
    CiphertextBlob blob = CiphertextBlob.parse(HEX.parseHex(v.get("blobHex")));
    var aead = XAesGcm.create(HEX.parseHex(v.get("materialHex")));
    String tenant = v.get("tenant");
    Map<String, String> ctx = v.context();

    Map<String, String> extra = new TreeMap<>(ctx);
    extra.put("extra", "entry");
    Map<String, String> changed = new TreeMap<>(ctx);
    changed.put("purpose", "other");
    List<byte[]> wrong =
        new java.util.ArrayList<>(
            List.of(
                aad(v, tenant + "x", EncryptionContext.of(ctx)),
                aad(v, "other", EncryptionContext.of(ctx)),
                aad(v, tenant, EncryptionContext.of(extra)),
                aad(v, tenant, EncryptionContext.of(changed)),
                CiphertextBlob.aadFor(
                    tenant,
                    v.get("keyIdHex"),
                    blob.version() == 1 ? 2 : blob.version() - 1,
                    ProtectionLevel.SOFTWARE,
                    EncryptionContext.of(ctx)),
                CiphertextBlob.aadFor(
                    tenant,
                    "00000000000000000000000000000000",
                    blob.version(),
                    ProtectionLevel.SOFTWARE,
                    EncryptionContext.of(ctx)),
                CiphertextBlob.aadFor(
                    tenant,
                    v.get("keyIdHex"),
                    blob.version(),
                    ProtectionLevel.HSM,
                    EncryptionContext.of(ctx))));
    if (!ctx.isEmpty()) {
      wrong.add(aad(v, tenant, EncryptionContext.empty()));
      Map<String, String> fewer = new TreeMap<>(ctx);
      fewer.remove(fewer.keySet().iterator().next());
      wrong.add(aad(v, tenant, EncryptionContext.of(fewer)));
    }
    for (byte[] aad : wrong) {
      assertThatThrownBy(() -> aead.decrypt(blob.payload(), aad))
          .isInstanceOf(GeneralSecurityException.class);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void storedMaterialUnwrapsThroughTheSoftwareCustodian(String description, Block v)
      throws Exception {
    SoftwareKeyCustodian custodian =
        new SoftwareKeyCustodian(rootKey(v), Duration.ofMinutes(1), 10);
    VersionRef ref =
        new VersionRef(v.get("tenant"), v.get("keyIdHex"), Integer.parseInt(v.get("version")));
    CiphertextBlob blob = CiphertextBlob.parse(HEX.parseHex(v.get("blobHex")));
    byte[] stored = HEX.parseHex(v.get("storedHex"));
    byte[] aad = HEX.parseHex(v.get("aadHex"));

    assertThat(HEX.formatHex(custodian.decrypt(ref, stored, blob.payload(), aad)))
        .isEqualTo(v.get("plaintextHex"));
    SoftwareKeyCustodian fresh = new SoftwareKeyCustodian(rootKey(v), Duration.ofMinutes(1), 10);
    VersionRef otherTenant = new VersionRef("other", ref.keyId(), ref.version());
    assertThatThrownBy(() -> fresh.decrypt(otherTenant, stored, blob.payload(), aad))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void blobDecryptsThroughTheUseCase(String description, Block v) throws Exception {
    KmsFixture kms = KmsFixture.create(rootKey(v));
    String tenant = v.get("tenant");
    int version = Integer.parseInt(v.get("version"));
    Instant t = kms.clock().instant();
    Key key =
        new Key(
            tenant,
            v.get("keyIdHex"),
            "vector-key",
            ProtectionLevel.SOFTWARE,
            KeyState.ENABLED,
            null,
            null,
            null,
            Map.of(),
            version,
            version,
            1,
            1,
            null,
            1,
            t,
            t);
    kms.stores()
        .keys()
        .create(
            new KeyRing(
                key,
                List.of(
                    new KeyVersion(
                        version,
                        KeyState.ENABLED,
                        ProtectionLevel.SOFTWARE,
                        HEX.parseHex(v.get("storedHex")),
                        t,
                        null))));

    Decrypted d =
        kms.crypto()
            .decrypt(
                KmsFixture.caller(tenant, "app", Role.KEY_USER),
                tenant,
                HEX.parseHex(v.get("blobHex")),
                v.context());
    assertThat(HEX.formatHex(d.plaintext())).isEqualTo(v.get("plaintextHex"));
    assertThat(d.key()).isEqualTo("vector-key");
    assertThat(d.keyVersion()).isEqualTo(version);
  }

  private LocalFileRootKey rootKey(Block v) throws Exception {
    Path file = Files.createTempFile(dir, "root", ".key");
    Files.writeString(file, v.get("rootKeyBase64") + "\n", StandardCharsets.UTF_8);
    return LocalFileRootKey.loadOrCreate(file);
  }

  private static byte[] aad(Block v, String tenant, EncryptionContext ctx) {
    return CiphertextBlob.aadFor(
        tenant,
        v.get("keyIdHex"),
        Integer.parseInt(v.get("version")),
        ProtectionLevel.valueOf(v.get("protection")),
        ctx);
  }
}
