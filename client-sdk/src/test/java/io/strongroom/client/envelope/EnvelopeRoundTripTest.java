package io.strongroom.client.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeRoundTripTest {
  static final Map<String, String> CONTEXT = Map.of("purpose", "backup", "volume", "vol-0001");

  final FakeDataKeySource keys = new FakeDataKeySource();
  final EnvelopeEncryptor envelope =
      EnvelopeEncryptor.builder().dataKeys(keys).keyName("orders").build();

  @AfterEach
  void close() {
    envelope.close();
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 32, 4096, 1 << 20})
  void byteArraysRoundTrip(int size) {
    byte[] plaintext = random(size, size);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);

    assertThat(message).hasSize(expectedLength(message, size));
    assertThat(envelope.decrypt(message, CONTEXT)).isEqualTo(plaintext);
    assertThat(envelope.decrypt(message, null)).isEqualTo(plaintext);
  }

  /**
   * Sizes around every segment boundary, through every combination of arrays and streams: an array
   * makes a data-key-mode message, a stream a message-key-mode message of the same length, and each
   * API decrypts both.
   */
  @ParameterizedTest
  @ValueSource(
      ints = {
        EnvelopeCrypto.SEGMENT_PLAINTEXT - 1,
        EnvelopeCrypto.SEGMENT_PLAINTEXT,
        EnvelopeCrypto.SEGMENT_PLAINTEXT + 1,
        2 * EnvelopeCrypto.SEGMENT_PLAINTEXT,
        2 * EnvelopeCrypto.SEGMENT_PLAINTEXT + 1,
        3 * EnvelopeCrypto.SEGMENT_PLAINTEXT + 17
      })
  void arraysAndStreamsMakeTheSameFormatAndDecryptEachOther(int size) throws IOException {
    byte[] plaintext = random(size, size);

    byte[] fromArray = envelope.encrypt(plaintext, CONTEXT);
    byte[] fromStream = encryptStream(envelope, plaintext, CONTEXT, 4093);

    assertThat(fromStream).hasSameSizeAs(fromArray).hasSize(expectedLength(fromArray, size));
    assertThat(Message.header(fromArray).bodyKeyMode()).isEqualTo(Message.BODY_KEY_DATA_KEY);
    assertThat(Message.header(fromStream).bodyKeyMode()).isEqualTo(Message.BODY_KEY_MESSAGE_KEY);
    assertThat(envelope.decrypt(fromArray, CONTEXT)).isEqualTo(plaintext);
    assertThat(decryptStream(envelope, fromArray, CONTEXT)).isEqualTo(plaintext);
    assertThat(envelope.decrypt(fromStream, CONTEXT)).isEqualTo(plaintext);
    assertThat(decryptStream(envelope, fromStream, CONTEXT)).isEqualTo(plaintext);
  }

  /**
   * The mode byte (header byte 4): 0x00 for every byte array, cached or not; 0x01 for every stream.
   * Each message decrypts through both APIs, and through an encryptor that never saw its key.
   */
  @Test
  void byteArraysAreDataKeyModeStreamsMessageKeyMode() throws IOException {
    try (EnvelopeEncryptor uncached =
            EnvelopeEncryptor.builder()
                .dataKeys(keys)
                .keyName("orders")
                .encryptCache(false)
                .decryptCache(false)
                .build();
        EnvelopeEncryptor reader = EnvelopeEncryptor.builder().dataKeys(keys).build()) {
      for (EnvelopeEncryptor writer : new EnvelopeEncryptor[] {envelope, uncached}) {
        byte[] plaintext = random(32, 9);
        byte[] array = writer.encrypt(plaintext, CONTEXT);
        byte[] stream = encryptStream(writer, plaintext, CONTEXT, 7);
        assertThat(array[4]).isEqualTo((byte) 0x00);
        assertThat(Message.header(array).bodyKeyMode()).isEqualTo(Message.BODY_KEY_DATA_KEY);
        assertThat(stream[4]).isEqualTo((byte) 0x01);
        assertThat(Message.header(stream).bodyKeyMode()).isEqualTo(Message.BODY_KEY_MESSAGE_KEY);
        assertThat(Message.header(array).toString()).contains("data-key mode");
        assertThat(Message.header(stream).toString()).contains("message-key mode");
        for (EnvelopeEncryptor d : new EnvelopeEncryptor[] {writer, reader}) {
          assertThat(d.decrypt(array, CONTEXT)).isEqualTo(plaintext);
          assertThat(decryptStream(d, array, CONTEXT)).isEqualTo(plaintext);
          assertThat(d.decrypt(stream, CONTEXT)).isEqualTo(plaintext);
          assertThat(decryptStream(d, stream, CONTEXT)).isEqualTo(plaintext);
        }
      }
    }
  }

  /**
   * Data-key mode: two byte arrays under one cached data key share the body key, so they must not
   * share nonces; their nonce bases are their ids' first 12 bytes. Encrypting the same plaintext
   * twice gives unrelated bodies.
   */
  @Test
  void byteArraysUnderOneDataKeyHaveDifferentNoncesAndBodies() {
    byte[] plaintext = new byte[32];
    byte[] a = envelope.encrypt(plaintext, CONTEXT);
    byte[] b = envelope.encrypt(plaintext, CONTEXT);
    Message.Header ha = Message.header(a);
    Message.Header hb = Message.header(b);
    assertThat(ha.wrappedDataKey()).isEqualTo(hb.wrappedDataKey());
    assertThat(EnvelopeCrypto.nonceBase(ha.raw())).isNotEqualTo(EnvelopeCrypto.nonceBase(hb.raw()));
    assertThat(java.util.Arrays.copyOfRange(a, ha.length(), a.length))
        .isNotEqualTo(java.util.Arrays.copyOfRange(b, hb.length(), b.length));
  }

  @Test
  void fiveMebibyteStreamRoundTrips() throws Exception {
    int size = 5 << 20;
    SplittableRandom r = new SplittableRandom(5);
    MessageDigest in = MessageDigest.getInstance("SHA-256");
    ByteArrayOutputStream sink = new ByteArrayOutputStream(size + 4096);
    try (OutputStream enc = envelope.encryptingStream(sink, CONTEXT)) {
      byte[] chunk = new byte[10_007];
      for (int left = size; left > 0; ) {
        int n = Math.min(left, chunk.length);
        r.nextBytes(chunk);
        enc.write(chunk, 0, n);
        in.update(chunk, 0, n);
        left -= n;
      }
      enc.write(7); // and one single byte
      in.update((byte) 7);
    }
    byte[] message = sink.toByteArray();
    assertThat(message).hasSize(expectedLength(message, size + 1));

    MessageDigest out = MessageDigest.getInstance("SHA-256");
    long total = 0;
    try (InputStream dec = envelope.decryptingStream(new ByteArrayInputStream(message), CONTEXT)) {
      byte[] buf = new byte[8191];
      for (int n; (n = dec.read(buf)) >= 0; ) {
        out.update(buf, 0, n);
        total += n;
      }
      assertThat(dec.read()).isEqualTo(-1);
    }
    assertThat(total).isEqualTo(size + 1);
    assertThat(out.digest()).isEqualTo(in.digest());
  }

  @Test
  void headerCanBeReadWithoutDecrypting() throws IOException {
    byte[] message = envelope.encrypt(new byte[] {1, 2, 3}, CONTEXT);
    int decryptsBefore = keys.decryptCalls.get();

    Message.Header h = Message.header(message);
    assertThat(h.version()).isEqualTo(1);
    assertThat(h.bodyKeyMode()).isEqualTo(Message.BODY_KEY_DATA_KEY);
    assertThat(h.context())
        .containsExactly(Map.entry("purpose", "backup"), Map.entry("volume", "vol-0001"));
    assertThat(h.messageId()).hasSize(32);
    assertThat(h.commitment()).hasSize(32);
    assertThat(h.wrappedDataKey()).isNotEmpty();
    assertThat(message.length - h.length()).isEqualTo(EnvelopeCrypto.bodyLength(3));

    ByteArrayInputStream in = new ByteArrayInputStream(message);
    Message.Header fromStream = Message.readHeader(in);
    assertThat(fromStream.length()).isEqualTo(h.length());
    assertThat(in.available()).isEqualTo(message.length - h.length());
    assertThat(fromStream.wrappedDataKey()).isEqualTo(h.wrappedDataKey());
    assertThat(keys.decryptCalls.get()).isEqualTo(decryptsBefore);
    assertThat(h.toString()).doesNotContain("REDACTED").contains("purpose");
  }

  @Test
  void everyMessageHasItsOwnIdAndBody() {
    byte[] a = envelope.encrypt(new byte[16], CONTEXT);
    byte[] b = envelope.encrypt(new byte[16], CONTEXT);
    assertThat(Message.header(a).messageId()).isNotEqualTo(Message.header(b).messageId());
    assertThat(Message.header(a).wrappedDataKey()).isEqualTo(Message.header(b).wrappedDataKey());
    assertThat(a).isNotEqualTo(b);
    assertThat(keys.generateCalls.get()).isEqualTo(1);
  }

  @Test
  void emptyAndNullContextsAreTheSame() {
    byte[] message = envelope.encrypt(new byte[] {42}, null);
    assertThat(envelope.decrypt(message, Map.of())).containsExactly(42);
    assertThat(Message.header(envelope.encrypt(new byte[0], Map.of())).context()).isEmpty();
  }

  @Test
  void wrongContextIsRefused() {
    byte[] message = envelope.encrypt(new byte[] {1}, CONTEXT);
    assertThatThrownBy(() -> envelope.decrypt(message, Map.of("purpose", "backup")))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("context");
    assertThatThrownBy(
            () ->
                envelope.decrypt(
                    message, Map.of("purpose", "backup", "volume", "vol-0001", "x", "y")))
        .isInstanceOf(InvalidMessageException.class);
    assertThatThrownBy(() -> envelope.decrypt(message, Map.of()))
        .isInstanceOf(InvalidMessageException.class);
    assertThatThrownBy(
            () -> envelope.decryptingStream(new ByteArrayInputStream(message), Map.of("a", "b")))
        .isInstanceOf(InvalidMessageException.class);
  }

  @Test
  void invalidContextsAreRefusedBeforeAnyServerCall() {
    assertThatThrownBy(() -> envelope.encrypt(new byte[1], Map.of("", "v")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> envelope.encrypt(new byte[1], Map.of("k", "x".repeat(1025))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> envelope.encrypt(new byte[1], Map.of("k", "\ud800")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(keys.generateCalls.get()).isZero();
  }

  @Test
  void decryptOnlyEncryptorNeedsNoKeyName() {
    byte[] message = envelope.encrypt(new byte[] {9}, CONTEXT);
    try (EnvelopeEncryptor reader = EnvelopeEncryptor.builder().dataKeys(keys).build()) {
      assertThat(reader.decrypt(message, CONTEXT)).containsExactly(9);
      assertThatThrownBy(() -> reader.encrypt(new byte[1], CONTEXT))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void closedEncryptorRefusesWork() {
    byte[] message = envelope.encrypt(new byte[] {9}, CONTEXT);
    envelope.close();
    envelope.close();
    assertThatThrownBy(() -> envelope.encrypt(new byte[1], CONTEXT))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> envelope.decrypt(message, CONTEXT))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void uncachedEncryptorsWork() throws IOException {
    try (EnvelopeEncryptor plain =
        EnvelopeEncryptor.builder()
            .dataKeys(keys)
            .keyName("orders")
            .encryptCache(false)
            .decryptCache(false)
            .build()) {
      byte[] a = plain.encrypt(new byte[] {1}, CONTEXT);
      byte[] b = plain.encrypt(new byte[] {2}, CONTEXT);
      byte[] c = encryptStream(plain, new byte[] {3}, CONTEXT, 1);
      assertThat(plain.decrypt(a, CONTEXT)).containsExactly(1);
      assertThat(plain.decrypt(b, CONTEXT)).containsExactly(2);
      assertThat(plain.decrypt(a, CONTEXT)).containsExactly(1);
      assertThat(decryptStream(plain, c, CONTEXT)).containsExactly(3);
      assertThat(keys.generateCalls.get()).isEqualTo(3);
      assertThat(keys.decryptCalls.get()).isEqualTo(4);
      assertThat(keys.allHandedOutKeysZeroed()).isTrue();
      assertThat(plain.stats().generateDataKeyCalls()).isEqualTo(3);
    }
  }

  @Test
  void secretsNeverAppearInStrings() {
    envelope.encrypt(new byte[1], CONTEXT);
    assertThat(envelope.cachedEncryptKey(CONTEXT).toString())
        .doesNotContain("0")
        .contains("REDACTED");
    assertThat(envelope.toString()).contains("orders");
  }

  // ---------------------------------------------------------------------------------------------

  /** Header length plus the body length the format predicts for {@code plaintextLength}. */
  static int expectedLength(byte[] message, int plaintextLength) {
    return Message.header(message).length() + (int) EnvelopeCrypto.bodyLength(plaintextLength);
  }

  static byte[] encryptStream(
      EnvelopeEncryptor e, byte[] plaintext, Map<String, String> context, int chunk)
      throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = e.encryptingStream(sink, context)) {
      for (int off = 0; off < plaintext.length; off += chunk) {
        out.write(plaintext, off, Math.min(chunk, plaintext.length - off));
      }
    }
    return sink.toByteArray();
  }

  static byte[] decryptStream(EnvelopeEncryptor e, byte[] message, Map<String, String> context)
      throws IOException {
    try (InputStream in = e.decryptingStream(new ByteArrayInputStream(message), context)) {
      return in.readAllBytes();
    }
  }
}
