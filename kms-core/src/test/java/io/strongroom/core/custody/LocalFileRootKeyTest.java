package io.strongroom.core.custody;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.core.crypto.XAesGcm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFileRootKeyTest {
  private static final byte[] AAD = "binding".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;
  private final Random random = new Random(5);

  @Test
  void createsAKeyFileReadableByItsOwnerOnly() throws Exception {
    Path file = dir.resolve("nested/dir/root.key");
    LocalFileRootKey key = LocalFileRootKey.loadOrCreate(file);

    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
    assertThat(PosixFilePermissions.toString(mode)).isEqualTo("rw-------");
    List<String> keyLines =
        Files.readAllLines(file).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    assertThat(keyLines).hasSize(1);
    assertThat(Base64.getDecoder().decode(keyLines.get(0))).hasSize(32);
    assertThat(Files.readString(file)).contains("DEVELOPMENT ONLY");
    assertThat(key.describe()).contains("DEVELOPMENT ONLY").contains(file.toString());
  }

  @Test
  void reloadGivesTheSameKey() throws Exception {
    Path file = dir.resolve("root.key");
    byte[] secret = bytes(32);
    byte[] wrapped = LocalFileRootKey.loadOrCreate(file).wrap(secret, AAD);
    byte[] before = Files.readAllBytes(file);

    LocalFileRootKey reloaded = LocalFileRootKey.loadOrCreate(file);
    assertThat(reloaded.unwrap(wrapped, AAD)).isEqualTo(secret);
    assertThat(Files.readAllBytes(file)).isEqualTo(before);

    LocalFileRootKey other = LocalFileRootKey.loadOrCreate(dir.resolve("other.key"));
    assertThatThrownBy(() -> other.unwrap(wrapped, AAD))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void existingFileIsReadAsDocumented() throws Exception {
    byte[] raw = bytes(32);
    Path file = dir.resolve("given.key");
    Files.writeString(
        file,
        "# a comment\n\n   " + Base64.getEncoder().encodeToString(raw) + "  \n# another\n",
        StandardCharsets.UTF_8);
    LocalFileRootKey key = LocalFileRootKey.loadOrCreate(file);

    byte[] secret = bytes(20);
    byte[] wrapped = key.wrap(secret, AAD);
    // 0x01 || XAES-256-GCM(salt || nonce || ciphertext || tag) under the file's key
    assertThat(wrapped[0]).isEqualTo((byte) 0x01);
    assertThat(wrapped).hasSize(1 + XAesGcm.OVERHEAD + secret.length);
    assertThat(XAesGcm.create(raw).decrypt(Arrays.copyOfRange(wrapped, 1, wrapped.length), AAD))
        .isEqualTo(secret);
    assertThat(key.wrap(secret, AAD)).isNotEqualTo(wrapped);
  }

  @Test
  void malformedFilesAreRefused() throws Exception {
    String b64of31 = Base64.getEncoder().encodeToString(new byte[31]);
    String b64of32 = Base64.getEncoder().encodeToString(new byte[32]);
    List<String> malformed =
        List.of(
            "",
            "# only a comment\n",
            b64of31 + "\n",
            b64of32 + "\n" + b64of32 + "\n",
            "not base64 at all!\n",
            Base64.getEncoder().encodeToString(new byte[33]) + "\n");
    int i = 0;
    for (String content : malformed) {
      Path file = dir.resolve("bad" + i++ + ".key");
      Files.writeString(file, content, StandardCharsets.UTF_8);
      assertThatThrownBy(() -> LocalFileRootKey.loadOrCreate(file))
          .as("file content %s", content)
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void unwrapFailsForTheWrongAadOrAnyChange() throws Exception {
    LocalFileRootKey key = LocalFileRootKey.loadOrCreate(dir.resolve("root.key"));
    byte[] secret = bytes(32);
    byte[] wrapped = key.wrap(secret, AAD);

    assertUnwrapFails(key, wrapped, "other".getBytes(StandardCharsets.US_ASCII));
    assertUnwrapFails(key, wrapped, new byte[0]);
    for (int i = 0; i < wrapped.length; i++) {
      byte[] t = wrapped.clone();
      t[i] ^= (byte) (1 << (i % 8));
      assertUnwrapFails(key, t, AAD);
    }
    for (int n = 0; n < wrapped.length; n++) {
      assertUnwrapFails(key, Arrays.copyOf(wrapped, n), AAD);
    }
    assertUnwrapFails(key, null, AAD);
    assertThat(key.unwrap(wrapped, AAD)).isEqualTo(secret);
  }

  private static void assertUnwrapFails(LocalFileRootKey key, byte[] wrapped, byte[] aad) {
    assertThatThrownBy(() -> key.unwrap(wrapped, aad)).isInstanceOf(GeneralSecurityException.class);
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
