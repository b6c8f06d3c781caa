package io.strongroom.client.envelope;

import static io.strongroom.client.envelope.EnvelopeRoundTripTest.decryptStream;
import static io.strongroom.client.envelope.EnvelopeRoundTripTest.encryptStream;
import static io.strongroom.client.envelope.EnvelopeRoundTripTest.random;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.client.InvalidCiphertextException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every way of damaging a message fails, through both the array and the stream API, with an {@link
 * InvalidCiphertextException}: {@link InvalidMessageException} when the SDK notices, the source's
 * (the server's) {@code InvalidCiphertextException} when the wrapped key or context was changed.
 * The parameterized tests run on a message of each body-key mode: made by {@code encrypt} (data-key
 * mode, {@code stream = false}) and by {@code encryptingStream} (message-key mode).
 */
class EnvelopeTamperTest {
  static final Map<String, String> CONTEXT = Map.of("purpose", "backup", "volume", "vol-0001");

  final FakeDataKeySource keys = new FakeDataKeySource();
  final EnvelopeEncryptor envelope =
      EnvelopeEncryptor.builder().dataKeys(keys).keyName("orders").build();

  @AfterEach
  void close() {
    envelope.close();
  }

  /** A message of {@code plaintext} in the mode of the API: array or stream. */
  private byte[] make(boolean stream, byte[] plaintext) {
    byte[] message;
    try {
      message =
          stream
              ? encryptStream(envelope, plaintext, CONTEXT, 1000)
              : envelope.encrypt(plaintext, CONTEXT);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertThat(Message.header(message).bodyKeyMode())
        .isEqualTo(stream ? Message.BODY_KEY_MESSAGE_KEY : Message.BODY_KEY_DATA_KEY);
    return message;
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void flippingAnyBitOfAnyByteFails(boolean stream) {
    byte[] plaintext = random(100, 1);
    byte[] message = make(stream, plaintext);
    for (int i = 0; i < message.length; i++) {
      for (int bit = 0; bit < 8; bit += 7) { // lowest and highest bit of every byte
        byte[] bad = message.clone();
        bad[i] ^= (byte) (1 << bit);
        assertFails(bad, "byte " + i + " bit " + bit);
      }
    }
    assertThat(envelope.decrypt(message, CONTEXT)).isEqualTo(plaintext);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void everyTruncationAndExtensionFails(boolean stream) {
    byte[] message = make(stream, random(100, 2));
    for (int n = 0; n < message.length; n++) {
      assertFails(Arrays.copyOf(message, n), "truncated to " + n);
    }
    assertFails(Arrays.copyOf(message, message.length + 1), "one zero byte appended");
    byte[] doubled = Arrays.copyOf(message, 2 * message.length);
    System.arraycopy(message, 0, doubled, message.length, message.length);
    assertFails(doubled, "message appended to itself");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void truncatingOrReorderingSegmentsFails(boolean stream) {
    int size = 3 * EnvelopeCrypto.SEGMENT_PLAINTEXT + 1000; // four segments
    byte[] message = make(stream, random(size, 3));
    int body = Message.header(message).length();
    int s1 = body + EnvelopeCrypto.SEGMENT_BYTES;
    int s2 = s1 + EnvelopeCrypto.SEGMENT_BYTES;
    int s3 = s2 + EnvelopeCrypto.SEGMENT_BYTES;

    // Cut exactly at segment boundaries: every segment before is intact and authentic.
    for (int cut : new int[] {body, s1, s2, s3, s1 + 16, s3 + 15, message.length - 1}) {
      assertFails(Arrays.copyOf(message, cut), "cut at " + cut);
    }
    // Swap segments 1 and 2 (same size).
    byte[] swapped = message.clone();
    System.arraycopy(message, s1, swapped, s2, EnvelopeCrypto.SEGMENT_BYTES);
    System.arraycopy(message, s2, swapped, s1, EnvelopeCrypto.SEGMENT_BYTES);
    assertFails(swapped, "segments 1 and 2 swapped");
    // Drop segment 2.
    byte[] dropped = new byte[message.length - EnvelopeCrypto.SEGMENT_BYTES];
    System.arraycopy(message, 0, dropped, 0, s2);
    System.arraycopy(message, s3, dropped, s2, message.length - s3);
    assertFails(dropped, "segment 2 dropped");
    // Repeat segment 1.
    byte[] repeated = new byte[message.length + EnvelopeCrypto.SEGMENT_BYTES];
    System.arraycopy(message, 0, repeated, 0, s2);
    System.arraycopy(message, s1, repeated, s2, EnvelopeCrypto.SEGMENT_BYTES);
    System.arraycopy(message, s2, repeated, s2 + EnvelopeCrypto.SEGMENT_BYTES, message.length - s2);
    assertFails(repeated, "segment 1 repeated");
    // A byte in the middle of the third segment.
    byte[] flipped = message.clone();
    flipped[s2 + 30_000] ^= 1;
    assertFails(flipped, "byte in segment 2");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void eachHeaderFieldIsProtected(boolean stream) {
    byte[] message = make(stream, random(50, 4));
    Message.Header h = Message.header(message);
    int ctxStart = 37;
    int ctxLen = CanonicalContext.of(CONTEXT).encoded().length;
    int blobLen = h.wrappedDataKey().length;
    int blobStart = ctxStart + ctxLen + 2;
    int commitStart = blobStart + blobLen;

    assertInvalid(set(message, 0, 'X'), "magic");
    assertInvalid(set(message, 3, 2), "version");
    assertThatThrownBy(() -> envelope.decrypt(set(message, 3, 2), null))
        .hasMessageContaining("version 2");
    // The mode byte: to the other mode (another key and other nonces), or to an unknown one.
    assertInvalid(set(message, 4, message[4] ^ 1), "mode byte, other mode");
    assertInvalid(set(message, 4, 2), "mode byte, unknown mode");
    // The commitment is per data key, so a changed message id passes it; then the nonces (data-key
    // mode: id bytes 0..11) or the key (message-key mode: 0..11) and nonces (12..18), and the
    // associated data (every id byte, in both modes) no longer match.
    for (int at : new int[] {5, 11, 16, 17, 23, 24, 36}) {
      assertInvalid(set(message, at, message[at] ^ 0x55), "message id byte " + (at - 5));
      assertThatThrownBy(() -> envelope.decrypt(set(message, at, message[at] ^ 1), null))
          .hasMessageContaining("failed authentication");
    }
    assertFails(set(message, ctxStart + 5, 'P'), "context key byte"); // the server refuses
    assertFails(set(message, ctxStart + ctxLen - 1, '2'), "context value byte");
    assertInvalid(set(message, ctxStart + 1, 3), "context entry count");
    assertFails(set(message, blobStart - 1, blobLen - 1), "blob length"); // a shorter blob
    assertInvalid(set(message, blobStart - 2, 1), "blob length high byte"); // past the end
    assertFails(
        set(message, blobStart + blobLen / 2, message[blobStart + blobLen / 2] ^ 1), "blob");
    assertInvalid(set(message, commitStart, message[commitStart] ^ 1), "commitment");
    assertInvalid(set(message, h.length(), message[h.length()] ^ 1), "first body byte");
    assertInvalid(set(message, message.length - 1, message[message.length - 1] ^ 1), "tag");
  }

  /**
   * The mode byte is in the associated data and selects the body key: a message switched to the
   * other mode fails authentication (it does not decrypt to garbage), by array and by stream.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void switchingTheModeByteFailsCleanly(boolean stream) {
    byte[] plaintext = random(70_000, 6); // two segments
    byte[] message = make(stream, plaintext);
    byte[] switched = set(message, 4, stream ? 0 : 1);
    assertThat(Message.header(switched).bodyKeyMode())
        .isEqualTo(stream ? Message.BODY_KEY_DATA_KEY : Message.BODY_KEY_MESSAGE_KEY);
    assertThatThrownBy(() -> envelope.decrypt(switched, CONTEXT))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("failed authentication");
    assertThatThrownBy(() -> decryptStream(envelope, switched, CONTEXT))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("failed authentication");
    assertThat(envelope.decrypt(message, CONTEXT)).isEqualTo(plaintext); // the original is fine
  }

  @Test
  void unknownModesAreRefusedByTheParser() throws IOException {
    byte[] ctx = {0, 0};
    assertThat(Message.header(header(ctx, 0)).bodyKeyMode()).isEqualTo(Message.BODY_KEY_DATA_KEY);
    assertThat(Message.header(header(ctx, 1)).bodyKeyMode())
        .isEqualTo(Message.BODY_KEY_MESSAGE_KEY);
    for (int mode : new int[] {2, 0x7f, 0x80, 0xff}) {
      byte[] h = header(ctx, mode);
      assertThatThrownBy(() -> Message.header(h))
          .as("mode " + mode)
          .isInstanceOf(InvalidMessageException.class)
          .hasMessageContaining("body-key mode " + mode);
      assertThatThrownBy(() -> Message.readHeader(new ByteArrayInputStream(h)))
          .as("mode " + mode + " (stream)")
          .isInstanceOf(InvalidMessageException.class)
          .hasMessageContaining("body-key mode " + mode);
      assertInvalid(h, "mode " + mode);
    }
  }

  @Test
  void aWrongExpectedContextIsRefusedBeforeAnyServerCall() {
    byte[] message = envelope.encrypt(new byte[8], CONTEXT);
    try (EnvelopeEncryptor reader = EnvelopeEncryptor.builder().dataKeys(keys).build()) {
      assertThatThrownBy(() -> reader.decrypt(message, Map.of("purpose", "other")))
          .isInstanceOf(InvalidMessageException.class);
      assertThat(keys.decryptCalls.get()).isZero();
    }
  }

  @Test
  void nonCanonicalContextsAreRefused() {
    // Two entries in the wrong order (by UTF-8 bytes of the key): "b" before "a".
    byte[] ctx = {0, 2, 0, 1, 'b', 0, 0, 0, 1, 'a', 0, 0};
    assertThatThrownBy(() -> Message.header(header(ctx)))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("canonical");
    byte[] dup = {0, 2, 0, 1, 'a', 0, 0, 0, 1, 'a', 0, 0};
    assertThatThrownBy(() -> Message.header(header(dup)))
        .isInstanceOf(InvalidMessageException.class);
    byte[] badUtf8 = {0, 1, 0, 1, (byte) 0xc3, 0, 0};
    assertThatThrownBy(() -> Message.header(header(badUtf8)))
        .isInstanceOf(InvalidMessageException.class);
    byte[] emptyKey = {0, 1, 0, 0, 0, 0};
    assertThatThrownBy(() -> Message.header(header(emptyKey)))
        .isInstanceOf(InvalidMessageException.class);
    byte[] good = {0, 2, 0, 1, 'a', 0, 0, 0, 1, 'b', 0, 1, 'v'};
    assertThat(Message.header(header(good)).context())
        .containsExactly(Map.entry("a", ""), Map.entry("b", "v"));
  }

  @Test
  void notAMessageAtAll() {
    assertInvalid(new byte[0], "empty");
    assertInvalid(
        "hello, world, this is plain text".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        "text");
    assertInvalid(new byte[] {1, 2, 3, 4, 5, 6}, "a server blob");
  }

  /**
   * The attack key commitment stops: a message whose wrapped key is replaced by another data key's
   * blob, and whose body is re-made so that it authenticates under that other key. Without the
   * commitment it would decrypt, to a plaintext of the attacker's choosing; with it, it is refused
   * before any body byte is decrypted. In both modes: the forged body is made with the other data
   * key's {@code K_d} or {@code K_m}.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void keyCommitmentRefusesAMessageUnderAnotherDataKey(boolean stream) {
    byte[] message = make(stream, "pay alice 10".getBytes(UTF_8));
    Message.Header h = Message.header(message);
    int mode = h.bodyKeyMode();

    DataKeySource.DataKey other = keys.generateDataKey("orders", 32, CONTEXT);
    DataKeyHolder otherKey = new DataKeyHolder(other.plaintext().clone());
    byte[] otherBodyKey = EnvelopeCrypto.bodyKey(otherKey, mode, h.messageId());

    // Same mode, id, context and commitment; the other data key's blob; a body made under that key.
    byte[] forgedHeader =
        Message.encodeHeader(
            mode, h.messageId(), h.canonicalContext(), other.ciphertext(), h.commitment());
    byte[] forged =
        EnvelopeCrypto.seal(forgedHeader, otherBodyKey, "pay mallory 1000".getBytes(UTF_8));

    assertThatThrownBy(() -> envelope.decrypt(forged, CONTEXT))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("key commitment");
    assertThatThrownBy(() -> decryptStream(envelope, forged, CONTEXT))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("key commitment");

    // Control: with the other key's own commitment, such a body is a genuine message. (A fresh
    // message id: the JDK refuses to seal twice in a row with one AES-GCM key and nonce.)
    byte[] honestId = h.messageId();
    honestId[0] ^= 1;
    byte[] honestHeader =
        Message.encodeHeader(
            mode, honestId, h.canonicalContext(), other.ciphertext(), otherKey.commitment());
    byte[] honest =
        EnvelopeCrypto.seal(
            honestHeader,
            EnvelopeCrypto.bodyKey(otherKey, mode, honestId),
            "pay mallory 1000".getBytes(UTF_8));
    assertThat(envelope.decrypt(honest, CONTEXT)).asString().isEqualTo("pay mallory 1000");
    // And the body authenticates under the other key even with the forged header: only the
    // commitment check stands between the forgery and a successful decryption.
    assertThat(EnvelopeCrypto.open(Message.header(forged), forged, otherBodyKey))
        .asString()
        .isEqualTo("pay mallory 1000");
  }

  @Test
  void streamFailuresAreInvalidMessagesButSourceFailuresStayIoExceptions() throws IOException {
    byte[] message = envelope.encrypt(random(200_000, 5), CONTEXT);
    byte[] bad = message.clone();
    bad[bad.length - 100] ^= 1;
    try (InputStream in = envelope.decryptingStream(new ByteArrayInputStream(bad), CONTEXT)) {
      byte[] first = in.readNBytes(EnvelopeCrypto.SEGMENT_PLAINTEXT);
      assertThat(first).hasSize(EnvelopeCrypto.SEGMENT_PLAINTEXT); // authentic segments flow
      assertThatThrownBy(in::readAllBytes).isInstanceOf(InvalidMessageException.class);
    }

    IOException disk = new IOException("disk on fire");
    InputStream failing =
        new InputStream() {
          int served;

          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int limit = Message.header(message).length() + 1000;
            if (served >= limit) {
              throw disk;
            }
            int n = Math.min(len, limit - served);
            System.arraycopy(message, served, b, off, n);
            served += n;
            return n;
          }
        };
    InputStream in = envelope.decryptingStream(failing, CONTEXT);
    assertThatThrownBy(in::readAllBytes).isSameAs(disk);
  }

  // ---------------------------------------------------------------------------------------------

  /** Fails with an InvalidCiphertextException (of the SDK or the source) by array and stream. */
  private void assertFails(byte[] message, String what) {
    assertThatThrownBy(() -> envelope.decrypt(message, null))
        .as(what)
        .isInstanceOf(InvalidCiphertextException.class);
    assertThatThrownBy(streamDecrypt(message))
        .as(what + " (stream)")
        .isInstanceOf(InvalidCiphertextException.class);
  }

  /** Fails with the SDK's InvalidMessageException, by array and stream. */
  private void assertInvalid(byte[] message, String what) {
    assertThatThrownBy(() -> envelope.decrypt(message, null))
        .as(what)
        .isInstanceOf(InvalidMessageException.class);
    assertThatThrownBy(streamDecrypt(message))
        .as(what + " (stream)")
        .isInstanceOf(InvalidMessageException.class);
  }

  private ThrowingCallable streamDecrypt(byte[] message) {
    return () -> decryptStream(envelope, message, null);
  }

  private static byte[] set(byte[] message, int at, int value) {
    byte[] copy = message.clone();
    copy[at] = (byte) value;
    return copy;
  }

  /** A header in data-key mode with the encoded context {@code ctx} and a 1-byte wrapped key. */
  private static byte[] header(byte[] ctx) {
    return header(ctx, Message.BODY_KEY_DATA_KEY);
  }

  private static byte[] header(byte[] ctx, int mode) {
    byte[] h = new byte[37 + ctx.length + 2 + 1 + 32];
    h[0] = 'S';
    h[1] = 'R';
    h[2] = 'E';
    h[3] = 1;
    h[4] = (byte) mode;
    System.arraycopy(ctx, 0, h, 37, ctx.length);
    h[37 + ctx.length + 1] = 1;
    return h;
  }
}
