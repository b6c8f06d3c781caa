package io.strongroom.core.custody;

import com.google.crypto.tink.Aead;
import io.strongroom.core.crypto.XAesGcm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * DEVELOPMENT ONLY: a root key kept in a local file (mode 0600). Anyone who can read the file can
 * unwrap every SOFTWARE key. Production deployments keep the root key in an HSM or AWS KMS.
 *
 * <p>File format: UTF-8 text; lines starting with {@code #} are comments; the one other line is the
 * standard base64 of 32 random bytes.
 *
 * <p>Wrapped format: {@code 0x01 ‖ XAES-256-GCM(salt ‖ nonce ‖ ciphertext ‖ tag)} under the file's
 * key with the caller's additional data.
 */
public final class LocalFileRootKey implements RootKey {
  private static final byte FORMAT = 0x01;
  private static final String HEADER =
      """
      # Strongroom root key: DEVELOPMENT ONLY.
      # Anyone who can read this file can decrypt every SOFTWARE key of this deployment.
      # Production keeps the root key in an HSM (PKCS#11) or in AWS KMS.
      """;

  private final Path path;
  private final Aead aead;

  private LocalFileRootKey(Path path, Aead aead) {
    this.path = path;
    this.aead = aead;
  }

  /**
   * Loads the root key file, creating it (mode 0600) with fresh random key if it does not exist.
   *
   * @throws IOException when the file cannot be read or created, or is malformed
   */
  public static LocalFileRootKey loadOrCreate(Path path)
      throws IOException, GeneralSecurityException {
    if (!Files.exists(path)) {
      byte[] key = new byte[XAesGcm.KEY_BYTES];
      new SecureRandom().nextBytes(key);
      Files.createDirectories(path.toAbsolutePath().getParent());
      try {
        Files.createFile(
            path,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(
            path,
            HEADER + Base64.getEncoder().encodeToString(key) + "\n",
            StandardCharsets.UTF_8,
            StandardOpenOption.TRUNCATE_EXISTING);
      } catch (FileAlreadyExistsException raced) {
        // another process created it first: read theirs
      } finally {
        Arrays.fill(key, (byte) 0);
      }
    }
    return load(path);
  }

  /**
   * Loads an existing root key file; never creates one (for reading an old root key, where a fresh
   * one would be useless).
   *
   * @throws java.nio.file.NoSuchFileException when the file does not exist
   * @throws IOException when the file cannot be read or is malformed
   */
  public static LocalFileRootKey load(Path path) throws IOException, GeneralSecurityException {
    List<String> lines =
        Files.readAllLines(path, StandardCharsets.UTF_8).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    byte[] key;
    try {
      key = lines.size() == 1 ? Base64.getDecoder().decode(lines.get(0)) : new byte[0];
    } catch (IllegalArgumentException e) {
      key = new byte[0];
    }
    if (key.length != XAesGcm.KEY_BYTES) {
      throw new IOException("root key file " + path + " is malformed: expected base64 of 32 bytes");
    }
    try {
      return new LocalFileRootKey(path, XAesGcm.create(key));
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  @Override
  public String describe() {
    return "local root key file " + path + " (DEVELOPMENT ONLY)";
  }

  @Override
  public byte[] wrap(byte[] plaintext, byte[] aad) throws GeneralSecurityException {
    byte[] ct = aead.encrypt(plaintext, aad);
    byte[] out = new byte[ct.length + 1];
    out[0] = FORMAT;
    System.arraycopy(ct, 0, out, 1, ct.length);
    return out;
  }

  @Override
  public byte[] unwrap(byte[] wrapped, byte[] aad) throws GeneralSecurityException {
    if (wrapped == null || wrapped.length < 1 + XAesGcm.OVERHEAD || wrapped[0] != FORMAT) {
      throw new GeneralSecurityException("not a wrapped value of this root key");
    }
    return aead.decrypt(Arrays.copyOfRange(wrapped, 1, wrapped.length), aad);
  }
}
