package io.strongroom.client.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cryptography of envelope message v1 (see {@link Message}): the key commitment, the two kinds
 * of body key and the body. Only JDK primitives are used: {@code HmacSHA256}, {@code
 * AES/ECB/NoPadding} (single AES block calls) and {@code AES/GCM/NoPadding}.
 *
 * <ul>
 *   <li>{@code commitment = HMAC-SHA256(key = DK, "strongroom/envelope/v1/commit")}, once per data
 *       key (cached with it in its {@link DataKeyHolder}).
 *   <li>Data-key mode ({@code 0x00}, byte arrays): {@code K_d = HMAC-SHA256(key = DK,
 *       "strongroom/envelope/v1/body")}, once per data key (cached), the body key of every
 *       byte-array message of that data key. Since the key bytes are the same from message to
 *       message, the per-thread GCM {@code Cipher} keeps its AES key schedule (the JDK expands a
 *       key only when it differs from the previous one): a message costs the AES-GCM of its data
 *       and no key setup.
 *   <li>Message-key mode ({@code 0x01}, streams): {@code K_m}, the per-message key of XAES-256-GCM
 *       (C2SP), i.e. NIST SP 800-108 counter-mode KDF with AES-256-CMAC under {@code DK}, over the
 *       first 12 bytes of the message id. The CMAC subkey {@code K1} is computed once per data key
 *       (cached), so a message costs two AES blocks under {@code DK} (one ECB call) and no HMAC.
 *   <li>The body: AES-256-GCM under the body key in 65,536-byte ciphertext segments, {@code nonce_i
 *       = base XOR (0^7 ‖ uint32 i ‖ last flag)} with {@code base = message id[0..12)} in data-key
 *       mode and {@code message id[12..19) ‖ 0^5} in message-key mode, the header as associated
 *       data of every segment. The mode is read from the header, so sealing and opening, by array
 *       or by stream, work the same for both modes.
 * </ul>
 *
 * Stateless; the per-thread {@code Cipher} objects are reused, never shared between threads.
 */
final class EnvelopeCrypto {
  static final int SEGMENT_BYTES = 65536;
  static final int TAG_BYTES = 16;
  static final int SEGMENT_PLAINTEXT = SEGMENT_BYTES - TAG_BYTES;
  static final int NONCE_BYTES = 12;

  /** Where the 7-byte nonce prefix of message-key mode starts in the message id. */
  static final int NONCE_PREFIX_OFFSET = 12;

  static final int NONCE_PREFIX_BYTES = 7;

  /** Most segments a body may have: the index is a uint32. */
  static final long MAX_SEGMENTS = 1L << 32;

  /** Largest array a message or plaintext may be in the byte-array API. */
  static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

  static final byte[] INFO_COMMIT =
      "strongroom/envelope/v1/commit".getBytes(StandardCharsets.US_ASCII);
  static final byte[] INFO_BODY = "strongroom/envelope/v1/body".getBytes(StandardCharsets.US_ASCII);

  private static final ThreadLocal<Cipher> GCMS =
      ThreadLocal.withInitial(() -> cipher("AES/GCM/NoPadding"));
  private static final ThreadLocal<Cipher> ECBS =
      ThreadLocal.withInitial(() -> cipher("AES/ECB/NoPadding"));

  private EnvelopeCrypto() {}

  /** {@code HMAC-SHA256(key = dataKey, "strongroom/envelope/v1/commit")}. */
  static byte[] commitment(byte[] dataKey) {
    return hmac(dataKey, INFO_COMMIT);
  }

  /** {@code K_d = HMAC-SHA256(key = dataKey, "strongroom/envelope/v1/body")} (data-key mode). */
  static byte[] bodyKey(byte[] dataKey) {
    return hmac(dataKey, INFO_BODY);
  }

  private static byte[] hmac(byte[] key, byte[] label) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(label);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
    }
  }

  /** Whether {@code expected} (from a header) equals {@code commitment}, in constant time. */
  static boolean commitsTo(byte[] commitment, byte[] expected) {
    return MessageDigest.isEqual(commitment, expected);
  }

  /**
   * The AES-CMAC subkey {@code K1} of {@code dataKey} (RFC 4493 §2.3): {@code L = AES(dataKey,
   * 0^128)}, {@code K1 = L << 1}, XORed with {@code 0x87} in its last byte if the top bit of {@code
   * L} was set.
   */
  static byte[] cmacSubkey(byte[] dataKey) {
    byte[] l = ecb(dataKey, new byte[16]);
    byte[] k1 = new byte[16];
    for (int i = 0; i < 15; i++) {
      k1[i] = (byte) ((l[i] << 1) | ((l[i + 1] & 0xff) >>> 7));
    }
    k1[15] = (byte) (l[15] << 1);
    if ((l[0] & 0x80) != 0) {
      k1[15] ^= (byte) 0x87;
    }
    Arrays.fill(l, (byte) 0);
    return k1;
  }

  /**
   * {@code K_m} (message-key mode), the XAES-256-GCM derived key for the 12-byte salt {@code
   * messageId[0..12)}: {@code AES(dataKey, M1 ⊕ K1) ‖ AES(dataKey, M2 ⊕ K1)} with {@code M_i = 0x00
   * i 'X' 0x00 ‖ salt}. This is {@code CMAC(dataKey, M_i)} for one complete block (C2SP
   * XAES-256-GCM).
   */
  static byte[] messageKey(byte[] dataKey, byte[] k1, byte[] messageId) {
    byte[] m = new byte[32];
    m[1] = 1;
    m[2] = 'X';
    m[17] = 2;
    m[18] = 'X';
    System.arraycopy(messageId, 0, m, 4, 12);
    System.arraycopy(messageId, 0, m, 20, 12);
    for (int i = 0; i < 16; i++) {
      m[i] ^= k1[i];
      m[16 + i] ^= k1[i];
    }
    try {
      return ecb(dataKey, m);
    } finally {
      Arrays.fill(m, (byte) 0);
    }
  }

  /** {@code K_m} from a bare data key (computing {@code K1} again): for tests and tools. */
  static byte[] messageKey(byte[] dataKey, byte[] messageId) {
    byte[] k1 = cmacSubkey(dataKey);
    try {
      return messageKey(dataKey, k1, messageId);
    } finally {
      Arrays.fill(k1, (byte) 0);
    }
  }

  /**
   * The body key of a message of body-key mode {@code mode} and id {@code messageId} under the data
   * key in {@code key}: in data-key mode the holder's cached {@code K_d} itself (not a copy: valid
   * while the caller holds a use of the key, never to be zeroed by the caller), in message-key mode
   * a fresh {@code K_m} that the caller owns and zeroes.
   */
  static byte[] bodyKey(DataKeyHolder key, int mode, byte[] messageId) {
    return mode == Message.BODY_KEY_DATA_KEY
        ? key.bodyKey()
        : messageKey(key.bytes(), key.cmacSubkey(), messageId);
  }

  private static byte[] ecb(byte[] key, byte[] blocks) {
    Cipher ecb = Thread.currentThread().isVirtual() ? cipher("AES/ECB/NoPadding") : ECBS.get();
    try {
      ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
      return ecb.doFinal(blocks);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES refused a data key", e);
    }
  }

  /** How many segments a plaintext of {@code n} bytes takes (at least one). */
  static long segments(long n) {
    return n == 0 ? 1 : (n + SEGMENT_PLAINTEXT - 1) / SEGMENT_PLAINTEXT;
  }

  /** The body's length for a plaintext of {@code n} bytes. */
  static long bodyLength(long n) {
    return n + TAG_BYTES * segments(n);
  }

  /**
   * Header ‖ body for {@code plaintext}, the body made with {@code bodyKey} and the nonces of the
   * header's body-key mode.
   */
  static byte[] seal(byte[] header, byte[] bodyKey, byte[] plaintext) {
    long total = header.length + bodyLength(plaintext.length);
    if (total > MAX_ARRAY) {
      throw new IllegalArgumentException(
          "plaintext too large for a byte array message; use encryptingStream");
    }
    byte[] out = new byte[(int) total];
    System.arraycopy(header, 0, out, 0, header.length);
    int p = header.length;
    byte[] base = nonceBase(header);
    SecretKeySpec key = new SecretKeySpec(bodyKey, "AES");
    Cipher gcm = gcm();
    int n = (int) segments(plaintext.length);
    int off = 0;
    try {
      for (int i = 0; i < n; i++) {
        int len = Math.min(plaintext.length - off, SEGMENT_PLAINTEXT);
        gcm.init(Cipher.ENCRYPT_MODE, key, nonce(base, i, i == n - 1));
        gcm.updateAAD(header);
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
   * every segment authenticated. {@code bodyKey} is the key of the header's body-key mode.
   */
  static byte[] open(Message.Header header, byte[] message, byte[] bodyKey) {
    byte[] aad = header.raw();
    int p = aad.length;
    long rest = (long) message.length - p;
    // Segments by position: every segment is full except the last, which is whatever remains and
    // must hold at least a tag.
    long n = rest <= SEGMENT_BYTES ? 1 : (rest + SEGMENT_BYTES - 1) / SEGMENT_BYTES;
    long last = rest - (n - 1) * SEGMENT_BYTES;
    if (last < TAG_BYTES) {
      throw failed();
    }
    byte[] base = nonceBase(aad);
    SecretKeySpec key = new SecretKeySpec(bodyKey, "AES");
    byte[] plaintext = new byte[(int) (rest - n * TAG_BYTES)];
    Cipher gcm = gcm();
    int q = 0;
    try {
      for (int i = 0; i < n; i++) {
        int len = (int) (i == n - 1 ? last : SEGMENT_BYTES);
        gcm.init(Cipher.DECRYPT_MODE, key, nonce(base, i, i == n - 1));
        gcm.updateAAD(aad);
        q += gcm.doFinal(message, p, len, plaintext, q);
        p += len;
      }
    } catch (GeneralSecurityException e) {
      Arrays.fill(plaintext, (byte) 0);
      throw failed();
    }
    return plaintext;
  }

  static InvalidMessageException failed() {
    return new InvalidMessageException(
        "message failed authentication: it was tampered with, truncated or extended");
  }

  /**
   * The nonce base of the message whose header is {@code header}, by its body-key mode (header byte
   * 4): message id[0..12) in data-key mode, message id[12..19) ‖ 0^5 in message-key mode.
   */
  static byte[] nonceBase(byte[] header) {
    int id = Message.MESSAGE_ID_OFFSET;
    return switch (header[Message.MODE_OFFSET]) {
      case Message.BODY_KEY_DATA_KEY -> Arrays.copyOfRange(header, id, id + NONCE_BYTES);
      case Message.BODY_KEY_MESSAGE_KEY -> {
        int from = id + NONCE_PREFIX_OFFSET;
        yield Arrays.copyOf(Arrays.copyOfRange(header, from, from + NONCE_PREFIX_BYTES), 12);
      }
      default -> throw new InvalidMessageException("unknown envelope body-key mode");
    };
  }

  /** {@code base XOR (0^7 ‖ uint32 segment ‖ last)}. */
  static GCMParameterSpec nonce(byte[] base, long segment, boolean last) {
    byte[] nonce = base.clone();
    nonce[7] ^= (byte) (segment >>> 24);
    nonce[8] ^= (byte) (segment >>> 16);
    nonce[9] ^= (byte) (segment >>> 8);
    nonce[10] ^= (byte) segment;
    nonce[11] ^= (byte) (last ? 1 : 0);
    return new GCMParameterSpec(8 * TAG_BYTES, nonce);
  }

  private static Cipher gcm() {
    // A virtual thread is usually short-lived: caching in it would only grow its thread locals.
    return Thread.currentThread().isVirtual() ? cipher("AES/GCM/NoPadding") : GCMS.get();
  }

  private static Cipher cipher(String transformation) {
    try {
      return Cipher.getInstance(transformation);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(transformation + " is unavailable", e);
    }
  }

  /** A stream that encrypts into {@code out} (after the header, which the caller has written). */
  static OutputStream encryptingStream(OutputStream out, byte[] header, byte[] bodyKey) {
    return new EncryptingStream(out, header, bodyKey);
  }

  /** A stream that decrypts the body from {@code in} (positioned after the header). */
  static InputStream decryptingStream(InputStream in, byte[] header, byte[] bodyKey) {
    return new DecryptingStream(in, header, bodyKey);
  }

  /**
   * Buffers one segment of plaintext; a full buffer is sealed (as not the last) only when more
   * bytes arrive, so that {@link #close} always has the last segment, non-empty unless the whole
   * plaintext is.
   */
  private static final class EncryptingStream extends OutputStream {
    private final OutputStream out;
    private final byte[] aad;
    private final byte[] base;
    private final SecretKeySpec key;
    private final Cipher gcm = cipher("AES/GCM/NoPadding");
    private final byte[] buf = new byte[SEGMENT_PLAINTEXT];
    private final byte[] ct = new byte[SEGMENT_BYTES];
    private int len;
    private long segment;
    private boolean closed;

    EncryptingStream(OutputStream out, byte[] header, byte[] bodyKey) {
      this.out = out;
      this.aad = header.clone();
      this.base = nonceBase(header);
      this.key = new SecretKeySpec(bodyKey, "AES");
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
      java.util.Objects.checkFromIndexSize(off, n, b.length);
      if (closed) {
        throw new IOException("stream closed");
      }
      while (n > 0) {
        if (len == SEGMENT_PLAINTEXT) {
          seal(false);
        }
        int k = Math.min(n, SEGMENT_PLAINTEXT - len);
        System.arraycopy(b, off, buf, len, k);
        len += k;
        off += k;
        n -= k;
      }
    }

    private void seal(boolean last) throws IOException {
      if (segment >= MAX_SEGMENTS || (!last && segment == MAX_SEGMENTS - 1)) {
        throw new IOException("an envelope message holds at most 2^32 segments");
      }
      int c;
      try {
        gcm.init(Cipher.ENCRYPT_MODE, key, nonce(base, segment, last));
        gcm.updateAAD(aad);
        c = gcm.doFinal(buf, 0, len, ct, 0);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM encryption failed", e);
      }
      out.write(ct, 0, c);
      segment++;
      len = 0;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try {
        seal(true);
      } finally {
        Arrays.fill(buf, (byte) 0);
        out.close();
      }
    }
  }

  /**
   * Reads one ciphertext segment ahead plus one byte, to know whether a segment is the last, and
   * hands out each segment's plaintext once it authenticated. Failures are {@link
   * InvalidMessageException}s; the source's {@code IOException}s propagate unchanged.
   */
  private static final class DecryptingStream extends InputStream {
    private final InputStream in;
    private final byte[] aad;
    private final byte[] base;
    private final SecretKeySpec key;
    private final Cipher gcm = cipher("AES/GCM/NoPadding");
    private final byte[] ct = new byte[SEGMENT_BYTES];
    private final byte[] pt = new byte[SEGMENT_PLAINTEXT];
    private int lookahead = -1; // the first byte of the next segment, or -1
    private int pos;
    private int end;
    private long segment;
    private boolean done;
    private boolean broken;

    DecryptingStream(InputStream in, byte[] header, byte[] bodyKey) {
      this.in = in;
      this.aad = header.clone();
      this.base = nonceBase(header);
      this.key = new SecretKeySpec(bodyKey, "AES");
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int n) throws IOException {
      java.util.Objects.checkFromIndexSize(off, n, b.length);
      if (n == 0) {
        return 0;
      }
      while (pos == end) {
        if (broken) {
          throw failed();
        }
        if (done) {
          return -1;
        }
        next();
      }
      int k = Math.min(n, end - pos);
      System.arraycopy(pt, pos, b, off, k);
      pos += k;
      return k;
    }

    private void next() throws IOException {
      int got = 0;
      if (lookahead >= 0) {
        ct[0] = (byte) lookahead;
        got = 1;
      }
      got += in.readNBytes(ct, got, SEGMENT_BYTES - got);
      boolean last = true;
      lookahead = -1;
      if (got == SEGMENT_BYTES) {
        lookahead = in.read();
        last = lookahead < 0;
      }
      if (got < TAG_BYTES || segment >= MAX_SEGMENTS) {
        broken = true;
        throw failed();
      }
      try {
        gcm.init(Cipher.DECRYPT_MODE, key, nonce(base, segment, last));
        gcm.updateAAD(aad);
        end = gcm.doFinal(ct, 0, got, pt, 0);
      } catch (GeneralSecurityException e) {
        broken = true;
        pos = end = 0;
        throw failed();
      }
      pos = 0;
      segment++;
      done = last;
    }

    @Override
    public int available() {
      return end - pos;
    }

    @Override
    public void close() throws IOException {
      Arrays.fill(pt, (byte) 0);
      pos = end = 0;
      done = true;
      in.close();
    }
  }
}
