package io.strongroom.client.envelope;

import com.google.crypto.tink.AccessesPartialKey;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import com.google.crypto.tink.subtle.Random;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cryptography of envelope message v1 (see {@link Message}): key derivation, key commitment and
 * the body.
 *
 * <p>The body format is Tink's {@link AesGcmHkdfStreaming} (HKDF-SHA256, AES-256, 64 KiB ciphertext
 * segments, first segment offset 0). Streams use Tink's own encrypting and decrypting streams. Byte
 * arrays are sealed and opened here, producing and accepting exactly the same bytes (tested both
 * ways at every segment boundary, and against an independent decoder in docs/FORMATS.md): per
 * message, Tink's path costs a provider lookup for a {@code Cipher} and a {@code Mac}, three calls
 * to the random generator, two 64 KiB buffers and a redundant HKDF-Extract, which together cost
 * more than the cryptography of a small message. This path reuses one {@code Cipher} per thread and
 * encrypts straight from the caller's array into the message array. Stateless.
 */
final class EnvelopeCrypto {
  static final String HKDF_MAC = "HMACSHA256";
  static final int SEGMENT_BYTES = 65536;
  static final int TAG_BYTES = 16;
  static final int SALT_BYTES = 32;
  static final int NONCE_PREFIX_BYTES = 7;
  static final int BODY_HEADER_BYTES = 1 + SALT_BYTES + NONCE_PREFIX_BYTES;
  static final int FIRST_SEGMENT_CIPHERTEXT = SEGMENT_BYTES - BODY_HEADER_BYTES;
  static final int FIRST_SEGMENT_PLAINTEXT = FIRST_SEGMENT_CIPHERTEXT - TAG_BYTES;
  static final int SEGMENT_PLAINTEXT = SEGMENT_BYTES - TAG_BYTES;

  /** Largest array a message or plaintext may be in the byte-array API. */
  static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

  private static final ThreadLocal<Cipher> CIPHERS =
      ThreadLocal.withInitial(EnvelopeCrypto::newGcm);

  private EnvelopeCrypto() {}

  /** The commitment and the per-message key of one message. */
  static final class MessageKeys {
    final byte[] commitment;
    final byte[] messageKey;

    MessageKeys(byte[] commitment, byte[] messageKey) {
      this.commitment = commitment;
      this.messageKey = messageKey;
    }

    /** Whether {@code expected} (from a header) equals the commitment, in constant time. */
    boolean commitsTo(byte[] expected) {
      return MessageDigest.isEqual(commitment, expected);
    }

    void destroy() {
      Arrays.fill(messageKey, (byte) 0);
    }

    @Override
    public String toString() {
      return "MessageKeys[REDACTED]";
    }
  }

  /**
   * Derives the commitment and the per-message key from a data key and a message id: {@code
   * HKDF-SHA256(dataKey, salt = messageId, info)} with the two info labels, sharing the extract.
   */
  static MessageKeys derive(byte[] dataKey, byte[] messageId) {
    byte[] prk = Hkdf256.extract(messageId, dataKey);
    try {
      return new MessageKeys(
          Hkdf256.expand32(prk, Message.INFO_COMMIT), Hkdf256.expand32(prk, Message.INFO_KEY));
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
  }

  /** Tink's streaming primitive over the per-message key (which it copies). */
  @AccessesPartialKey
  static AesGcmHkdfStreaming streaming(byte[] messageKey) {
    try {
      return new AesGcmHkdfStreaming(messageKey, HKDF_MAC, 32, SEGMENT_BYTES, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM-HKDF streaming is unavailable", e);
    }
  }

  /** How many segments a plaintext of {@code n} bytes takes (at least one). */
  static long segments(long n) {
    return n <= FIRST_SEGMENT_PLAINTEXT
        ? 1
        : 1 + (n - FIRST_SEGMENT_PLAINTEXT + SEGMENT_PLAINTEXT - 1) / SEGMENT_PLAINTEXT;
  }

  /** The body's length for a plaintext of {@code n} bytes. */
  static long bodyLength(long n) {
    return BODY_HEADER_BYTES + n + TAG_BYTES * segments(n);
  }

  /** Header ‖ body for {@code plaintext}, the body made with {@code messageKey}. */
  static byte[] seal(byte[] header, byte[] messageKey, byte[] plaintext) {
    long total = header.length + bodyLength(plaintext.length);
    if (total > MAX_ARRAY) {
      throw new IllegalArgumentException(
          "plaintext too large for a byte array message; use encryptingStream");
    }
    byte[] out = new byte[(int) total];
    System.arraycopy(header, 0, out, 0, header.length);
    int p = header.length;
    byte[] saltAndPrefix = Random.randBytes(SALT_BYTES + NONCE_PREFIX_BYTES);
    out[p] = BODY_HEADER_BYTES;
    System.arraycopy(saltAndPrefix, 0, out, p + 1, saltAndPrefix.length);
    p += BODY_HEADER_BYTES;
    SecretKeySpec segmentKey = segmentKey(messageKey, saltAndPrefix, header);
    Cipher gcm = gcm();
    int n = (int) segments(plaintext.length);
    int off = 0;
    try {
      for (int i = 0; i < n; i++) {
        int len =
            Math.min(plaintext.length - off, i == 0 ? FIRST_SEGMENT_PLAINTEXT : SEGMENT_PLAINTEXT);
        gcm.init(Cipher.ENCRYPT_MODE, segmentKey, nonce(saltAndPrefix, i, i == n - 1));
        p += gcm.doFinal(plaintext, off, len, out, p);
        off += len;
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
    return out;
  }

  /**
   * The plaintext of the body that follows {@code header} in {@code message}; returned only when
   * every segment authenticated.
   */
  static byte[] open(Message.Header header, byte[] message, byte[] messageKey) {
    int p = header.length();
    long rest = (long) message.length - p - BODY_HEADER_BYTES;
    if (rest < TAG_BYTES || message[p] != BODY_HEADER_BYTES) {
      throw new InvalidMessageException(
          "message failed authentication: it was tampered with, truncated or extended");
    }
    // Segments by position, exactly as Tink's decrypting stream splits them: every segment is full
    // except the last, which is whatever remains (and must hold at least a tag).
    long n =
        rest <= FIRST_SEGMENT_CIPHERTEXT
            ? 1
            : 1 + (rest - FIRST_SEGMENT_CIPHERTEXT + SEGMENT_BYTES - 1) / SEGMENT_BYTES;
    long last = n == 1 ? rest : rest - FIRST_SEGMENT_CIPHERTEXT - (n - 2) * SEGMENT_BYTES;
    if (last < TAG_BYTES) {
      throw new InvalidMessageException(
          "message failed authentication: it was tampered with, truncated or extended");
    }
    byte[] saltAndPrefix = Arrays.copyOfRange(message, p + 1, p + BODY_HEADER_BYTES);
    p += BODY_HEADER_BYTES;
    SecretKeySpec segmentKey = segmentKey(messageKey, saltAndPrefix, header.raw());
    byte[] plaintext = new byte[(int) (rest - n * TAG_BYTES)];
    Cipher gcm = gcm();
    int q = 0;
    try {
      for (int i = 0; i < n; i++) {
        int len = (int) (i == n - 1 ? last : i == 0 ? FIRST_SEGMENT_CIPHERTEXT : SEGMENT_BYTES);
        gcm.init(Cipher.DECRYPT_MODE, segmentKey, nonce(saltAndPrefix, i, i == n - 1));
        q += gcm.doFinal(message, p, len, plaintext, q);
        p += len;
      }
    } catch (GeneralSecurityException e) {
      Arrays.fill(plaintext, (byte) 0);
      throw new InvalidMessageException(
          "message failed authentication: it was tampered with, truncated or extended");
    }
    return plaintext;
  }

  /** {@code K_s = HKDF-SHA256(messageKey, salt, info = header)} as an AES key. */
  private static SecretKeySpec segmentKey(byte[] messageKey, byte[] saltAndPrefix, byte[] header) {
    byte[] prk = Hkdf256.extract(Arrays.copyOf(saltAndPrefix, SALT_BYTES), messageKey);
    byte[] k = Hkdf256.expand32(prk, header);
    try {
      return new SecretKeySpec(k, "AES");
    } finally {
      Arrays.fill(prk, (byte) 0);
      Arrays.fill(k, (byte) 0);
    }
  }

  /** {@code nonce prefix ‖ uint32 segment ‖ last}, as Tink's AesGcmHkdfStreaming. */
  private static GCMParameterSpec nonce(byte[] saltAndPrefix, int segment, boolean last) {
    byte[] nonce = new byte[12];
    System.arraycopy(saltAndPrefix, SALT_BYTES, nonce, 0, NONCE_PREFIX_BYTES);
    nonce[7] = (byte) (segment >>> 24);
    nonce[8] = (byte) (segment >>> 16);
    nonce[9] = (byte) (segment >>> 8);
    nonce[10] = (byte) segment;
    nonce[11] = (byte) (last ? 1 : 0);
    return new GCMParameterSpec(8 * TAG_BYTES, nonce);
  }

  private static Cipher gcm() {
    return Thread.currentThread().isVirtual() ? newGcm() : CIPHERS.get();
  }

  private static Cipher newGcm() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable", e);
    }
  }

  /** A stream that encrypts into {@code out} (after the header, which the caller has written). */
  static OutputStream encryptingStream(OutputStream out, byte[] header, byte[] messageKey)
      throws IOException {
    try {
      return streaming(messageKey).newEncryptingStream(out, header);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /** A stream that decrypts the body from {@code in} (positioned after the header). */
  static InputStream decryptingStream(InputStream in, byte[] header, byte[] messageKey)
      throws IOException {
    try {
      return streaming(messageKey).newDecryptingStream(in, header);
    } catch (GeneralSecurityException e) {
      throw new InvalidMessageException("message failed authentication");
    }
  }
}
