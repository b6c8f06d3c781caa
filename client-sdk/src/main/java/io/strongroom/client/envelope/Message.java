package io.strongroom.client.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The envelope message format, version 1, and a parser for its header. An envelope message is
 * self-contained: it carries everything needed to decrypt it except access to the key that wrapped
 * its data key. It is documented (with a worked example and an independent decoder) in {@code
 * docs/FORMATS.md}, section "Envelope message v1"; this Javadoc and that section must agree.
 *
 * <h2>Layout</h2>
 *
 * All integers are big-endian; {@code ‖} is concatenation; {@code c} is the length of the encoded
 * context and {@code b} the length of the wrapped data key.
 *
 * <pre>
 * offset     size  field
 * 0          3     magic, ASCII "SRE" (53 52 45)
 * 3          1     format version, 0x01
 * 4          1     body-key mode: 0x00 data-key mode, 0x01 message-key mode (anything else is
 *                    refused)
 * 5          32    message id: 32 random bytes, fresh for every message
 * 37         c     encryption context, canonical encoding (FORMATS.md §3):
 *                    uint16 n, then n times uint16 k ‖ key ‖ uint16 v ‖ value, sorted by the
 *                    UTF-8 bytes of the key; the empty context is 00 00
 * 37+c       2     uint16 b, length of the wrapped data key, 1..65535
 * 39+c       b     wrapped data key: the ciphertext blob of generate-data-key (FORMATS.md §1),
 *                    bound by the server to the same encryption context
 * 39+c+b     32    key commitment
 * H=71+c+b   ...   body
 * </pre>
 *
 * Bytes {@code 0..H-1} are the <b>header</b>. The 32-byte data key {@code DK} is what the server
 * unwraps from the wrapped data key. {@code AES(k, x)} is one AES-256 block encryption (ECB); the
 * labels are ASCII without a NUL.
 *
 * <pre>
 * commitment = HMAC-SHA256(key = DK, "strongroom/envelope/v1/commit")       once per data key
 *
 * data-key mode (0x00), every byte-array message:
 * K_d        = HMAC-SHA256(key = DK, "strongroom/envelope/v1/body")         once per data key
 * base       = message id[0..12)
 *
 * message-key mode (0x01), every stream message:
 * L          = AES(DK, 0^128)                                              once per data key
 * K1         = (L &lt;&lt; 1) XOR (0x87 in the last byte if the top bit of L is 1)   (CMAC subkey)
 * salt       = message id[0..12)
 * M1         = 00 01 58 00 ‖ salt          ("X" = 0x58)
 * M2         = 00 02 58 00 ‖ salt
 * K_m        = AES(DK, M1 XOR K1) ‖ AES(DK, M2 XOR K1)                     per message
 * base       = message id[12..19) ‖ 00 00 00 00 00
 * </pre>
 *
 * {@code K_m} is exactly the derived key of XAES-256-GCM (C2SP; NIST SP 800-108 counter-mode KDF
 * with AES-256-CMAC, each CMAC over one complete block) for a nonce whose first 12 bytes are the
 * salt. No HMAC is computed per message in either mode.
 *
 * <p>The <b>body</b> is AES-256-GCM under the body key {@code K} ({@code K_d} or {@code K_m}, by
 * the mode byte) in segments, with the whole header as the associated data of every segment:
 *
 * <pre>
 * body      = segment 0 ‖ segment 1 ‖ … ‖ segment m
 * segment i = AES-256-GCM(K, nonce_i, plaintext part i, AAD = header)     ciphertext ‖ 16-byte tag
 * nonce_i   = base XOR (0^7 ‖ uint32 i ‖ (0x01 if segment i is the last, else 0x00))
 * </pre>
 *
 * So in data-key mode the index and flag are XORed into the last five of 12 random bytes, and in
 * message-key mode they follow a 7-byte random prefix. Every plaintext part holds 65,520 bytes
 * (every ciphertext segment 65,536 bytes) except the last, which holds the rest: 1 to 65,520 bytes,
 * or 0 only for an empty plaintext. There is always at least one segment, and at most 2^32. A
 * reader splits the body by position: full 65,536-byte segments, then the last, which is what
 * remains and must be 16 to 65,536 bytes. A message therefore has {@code H + len(plaintext) + 16 ×
 * segments} bytes, {@code segments = max(1, ⌈len(plaintext) / 65,520⌉)}; with a 94-byte SOFTWARE
 * blob and an empty context, {@code H} is 167 and a 32-byte plaintext makes a 215-byte message.
 *
 * <h2>What this gives</h2>
 *
 * <ul>
 *   <li><b>Key commitment.</b> A decrypter takes the commitment of the data key it unwrapped
 *       (computed once per data key and cached with it) and compares it in constant time with the
 *       header's <em>before</em> it decrypts anything. Two data keys with the same commitment would
 *       be an HMAC-SHA256 collision, so a message cannot be made to decrypt, to different
 *       plaintexts or at all, under a data key other than the one it was made with (AES-GCM alone
 *       is not committing). The body key and the nonces are functions of that data key and the
 *       header (mode byte and message id), so the committed data key determines the body's key.
 *   <li><b>Data-key mode: one GCM key per data key, random 96-bit nonces.</b> Every byte-array
 *       message of a data key is encrypted under the same {@code K_d}; its segments' nonces are 96
 *       random bits with the segment index and flag XORed in, so two segments of different messages
 *       share a nonce only if 96 random bits of their ids collide in a given pattern. Over {@code
 *       S} segments under one data key a (key, nonce) pair repeats with probability at most {@code
 *       S^2/2^97}. The cache counts byte arrays exactly (messages and bytes reserved before use),
 *       so {@code S ≤ maxMessagesPerKey + maxBytesPerKey / 65,520}: at the defaults (2^20 messages,
 *       2^36 bytes) {@code S ≤ 2,097,408 ≈ 2^21} and the probability is about 2^-55; at both caps
 *       (2^32 − 1 messages, 2^47 bytes, {@link EnvelopeEncryptor#MAX_BYTES_LIMIT}) {@code S ≤
 *       6,442,975,359 ≈ 1.5 · 2^32} and it is about 2^-32 (1.13 · 2^-32), NIST SP 800-38D's bound
 *       for random nonces (which that standard enforces as at most 2^32 invocations per key: lower
 *       one of the caps if strict conformance matters). The gain is speed: no key derivation per
 *       message, and the JDK reuses the AES key schedule.
 *   <li><b>Message-key mode: a fresh key per message.</b> A stream's length is unknown when it
 *       starts and a stream may run past its data key's byte budget, so it is not counted into
 *       {@code S}: it gets its own {@code K_m}, a pseudorandom function (AES-CMAC) of 96 random
 *       bits of the message id, and its nonce prefix is 56 further random bits; a (key, nonce) pair
 *       repeats across stream messages of one data key with probability about q² / 2^153 for q
 *       messages. {@code K_d} (HMAC) and {@code K_m} (CMAC with a different input) are independent.
 *   <li><b>Integrity of everything.</b> The header is the associated data of every segment, so
 *       changing any header byte, including the mode and the context, fails (the mode also changes
 *       the key); every segment is authenticated with its index and a last-segment flag, so
 *       reordering, dropping, repeating or truncating segments fails, as does appending bytes.
 * </ul>
 *
 * <p>A parser refuses: a wrong magic, a version other than {@code 0x01}, a body-key mode other than
 * {@code 0x00} and {@code 0x01}, a context that is not the canonical encoding of its map (entries
 * out of order or repeated, limits of FORMATS.md §3 exceeded, invalid UTF-8), a wrapped data key of
 * length 0, and a message that ends inside the header, each with {@link InvalidMessageException};
 * so does a body that fails to authenticate.
 */
public final class Message {
  /** The first three bytes of every envelope message, ASCII {@code SRE}. */
  static final byte[] MAGIC = {'S', 'R', 'E'};

  /** The version this SDK writes and the only one it reads. */
  public static final int VERSION_1 = 1;

  /**
   * Body-key mode {@code 0x00}, data-key mode: the body key {@code K_d} is derived once per data
   * key and serves all its byte-array messages, with random 96-bit nonces. What {@link
   * EnvelopeEncryptor#encrypt} writes.
   */
  public static final int BODY_KEY_DATA_KEY = 0x00;

  /**
   * Body-key mode {@code 0x01}, message-key mode: the body key {@code K_m} is derived from the data
   * key and the message id, fresh for every message. What {@link
   * EnvelopeEncryptor#encryptingStream} writes.
   */
  public static final int BODY_KEY_MESSAGE_KEY = 0x01;

  static final int MODE_OFFSET = 4;
  static final int MESSAGE_ID_OFFSET = 5;
  static final int MESSAGE_ID_BYTES = 32;
  static final int COMMITMENT_BYTES = 32;
  static final int DATA_KEY_BYTES = 32;
  static final int MAX_WRAPPED_KEY_BYTES = 0xffff;

  private Message() {}

  /**
   * Parses the header of a message without decrypting it or calling the server: to see which
   * context a message carries, or which wrapped data key (and so, through the server's blob format,
   * which key and version) it needs. Nothing read here is authenticated until the message is
   * decrypted.
   *
   * @throws InvalidMessageException if the header is malformed or incomplete
   */
  public static Header header(byte[] message) {
    try {
      return read(HeaderReader.of(message));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: an array reader does no I/O
    }
  }

  /**
   * Reads the header of a message from a stream, consuming exactly the header's bytes so that the
   * body follows.
   *
   * @throws InvalidMessageException if the header is malformed or the stream ends inside it
   * @throws IOException if reading fails
   */
  public static Header readHeader(InputStream in) throws IOException {
    return read(HeaderReader.of(in));
  }

  static Header read(HeaderReader in) throws IOException {
    byte[] magic = in.bytes(MAGIC.length);
    if (magic[0] != MAGIC[0] || magic[1] != MAGIC[1] || magic[2] != MAGIC[2]) {
      throw new InvalidMessageException("not a Strongroom envelope message");
    }
    int version = in.u8();
    if (version != VERSION_1) {
      throw new InvalidMessageException("unsupported envelope message version " + version);
    }
    int mode = in.u8();
    if (mode != BODY_KEY_DATA_KEY && mode != BODY_KEY_MESSAGE_KEY) {
      throw new InvalidMessageException("unknown envelope body-key mode " + mode);
    }
    byte[] id = in.bytes(MESSAGE_ID_BYTES);
    CanonicalContext context = CanonicalContext.read(in);
    int b = in.u16();
    if (b == 0) {
      throw new InvalidMessageException("the wrapped data key is empty");
    }
    byte[] wrapped = in.bytes(b);
    byte[] commitment = in.bytes(COMMITMENT_BYTES);
    return new Header(version, mode, id, context, wrapped, commitment, in.raw());
  }

  /** The header's length for a context of {@code c} and a wrapped data key of {@code b} bytes. */
  static long headerLength(long c, long b) {
    return MESSAGE_ID_OFFSET + MESSAGE_ID_BYTES + c + 2 + b + COMMITMENT_BYTES;
  }

  /** Serializes a version 1 header with body-key mode {@code mode}. */
  static byte[] encodeHeader(
      int mode, byte[] messageId, CanonicalContext context, byte[] wrapped, byte[] commitment) {
    byte[] ctx = context.encoded();
    byte[] out = new byte[(int) headerLength(ctx.length, wrapped.length)];
    int p = 0;
    out[p++] = MAGIC[0];
    out[p++] = MAGIC[1];
    out[p++] = MAGIC[2];
    out[p++] = VERSION_1;
    out[p++] = (byte) mode;
    System.arraycopy(messageId, 0, out, p, MESSAGE_ID_BYTES);
    p += MESSAGE_ID_BYTES;
    System.arraycopy(ctx, 0, out, p, ctx.length);
    p += ctx.length;
    out[p++] = (byte) (wrapped.length >>> 8);
    out[p++] = (byte) wrapped.length;
    System.arraycopy(wrapped, 0, out, p, wrapped.length);
    p += wrapped.length;
    System.arraycopy(commitment, 0, out, p, COMMITMENT_BYTES);
    return out;
  }

  /**
   * The parsed header of an envelope message. Unauthenticated until the message decrypts. Arrays
   * returned are copies.
   */
  public static final class Header {
    private final int version;
    private final int bodyKeyMode;
    private final byte[] messageId;
    private final CanonicalContext context;
    private final byte[] wrappedDataKey;
    private final byte[] commitment;
    private final byte[] raw;

    Header(
        int version,
        int bodyKeyMode,
        byte[] messageId,
        CanonicalContext context,
        byte[] wrappedDataKey,
        byte[] commitment,
        byte[] raw) {
      this.version = version;
      this.bodyKeyMode = bodyKeyMode;
      this.messageId = messageId;
      this.context = context;
      this.wrappedDataKey = wrappedDataKey;
      this.commitment = commitment;
      this.raw = raw;
    }

    /** The format version, {@value Message#VERSION_1}. */
    public int version() {
      return version;
    }

    /**
     * The body-key mode: {@link Message#BODY_KEY_DATA_KEY} (byte arrays) or {@link
     * Message#BODY_KEY_MESSAGE_KEY} (streams).
     */
    public int bodyKeyMode() {
      return bodyKeyMode;
    }

    /** The 32-byte random message id. */
    public byte[] messageId() {
      return messageId.clone();
    }

    /** The encryption context, in canonical order, unmodifiable. */
    public Map<String, String> context() {
      return context.entries();
    }

    /** The wrapped data key: the server's ciphertext blob, to pass to decrypt-data-key. */
    public byte[] wrappedDataKey() {
      return wrappedDataKey.clone();
    }

    /** The 32-byte key commitment. */
    public byte[] commitment() {
      return commitment.clone();
    }

    /** The header's length in bytes: the offset of the body. */
    public int length() {
      return raw.length;
    }

    CanonicalContext canonicalContext() {
      return context;
    }

    byte[] wrappedDataKeyNoCopy() {
      return wrappedDataKey;
    }

    byte[] messageIdNoCopy() {
      return messageId;
    }

    byte[] commitmentNoCopy() {
      return commitment;
    }

    /** The header bytes as read (the body's associated data). Not copied. */
    byte[] raw() {
      return raw;
    }

    @Override
    public String toString() {
      return "Message.Header[v"
          + version
          + (bodyKeyMode == BODY_KEY_DATA_KEY ? ", data-key mode" : ", message-key mode")
          + ", context "
          + context.entries()
          + ", "
          + wrappedDataKey.length
          + "-byte wrapped data key, "
          + raw.length
          + " bytes]";
    }
  }
}
