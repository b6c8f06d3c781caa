package io.strongroom.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import io.strongroom.core.ProtectionLevel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The blob framing, byte by byte as its Javadoc documents it, and its parser under hostile input.
 */
class CiphertextBlobTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final String KEY_ID = "00112233445566778899aabbccddeeff";

  @Test
  void headerLayout() {
    byte[] blob =
        CiphertextBlob.of(
                KEY_ID, 0x01020304, ProtectionLevel.HSM, new byte[] {(byte) 0xaa, (byte) 0xbb})
            .toBytes();
    assertThat(HEX.formatHex(blob)).isEqualTo("01" + KEY_ID + "01020304" + "02" + "aabb");
    assertThat(blob).hasSize(CiphertextBlob.HEADER_LENGTH + 2);
    assertThat(blob[0]).isEqualTo(CiphertextBlob.FORMAT_V1);
    assertThat(Arrays.copyOfRange(blob, 1, 17)).isEqualTo(HEX.parseHex(KEY_ID));
    assertThat(Arrays.copyOfRange(blob, 17, 21)).containsExactly(1, 2, 3, 4);
    assertThat(blob[21]).isEqualTo((byte) 0x02);
  }

  @Test
  void protectionLevelCodes() {
    assertThat(protectionByte(ProtectionLevel.SOFTWARE)).isEqualTo((byte) 0x01);
    assertThat(protectionByte(ProtectionLevel.HSM)).isEqualTo((byte) 0x02);
    assertThat(protectionByte(ProtectionLevel.EXTERNAL)).isEqualTo((byte) 0x03);
  }

  @Test
  void parseRoundTrips() {
    byte[] payload = "opaque payload".getBytes(StandardCharsets.US_ASCII);
    CiphertextBlob parsed =
        CiphertextBlob.parse(
            CiphertextBlob.of(KEY_ID, 42, ProtectionLevel.EXTERNAL, payload).toBytes());
    assertThat(parsed.keyIdHex()).isEqualTo(KEY_ID);
    assertThat(parsed.version()).isEqualTo(42);
    assertThat(parsed.protection()).isEqualTo(ProtectionLevel.EXTERNAL);
    assertThat(parsed.payload()).isEqualTo(payload);
  }

  @Test
  void randomBlobsRoundTrip() {
    Random random = new Random(99);
    ProtectionLevel[] levels = ProtectionLevel.values();
    for (int i = 0; i < 1000; i++) {
      byte[] id = new byte[16];
      random.nextBytes(id);
      byte[] payload = new byte[1 + random.nextInt(300)];
      random.nextBytes(payload);
      int version = 1 + random.nextInt(Integer.MAX_VALUE);
      ProtectionLevel level = levels[random.nextInt(levels.length)];
      byte[] bytes = CiphertextBlob.of(HEX.formatHex(id), version, level, payload).toBytes();

      CiphertextBlob parsed = CiphertextBlob.parse(bytes);
      assertThat(parsed.keyIdHex()).isEqualTo(HEX.formatHex(id));
      assertThat(parsed.version()).isEqualTo(version);
      assertThat(parsed.protection()).isEqualTo(level);
      assertThat(parsed.payload()).isEqualTo(payload);
      assertThat(parsed.toBytes()).isEqualTo(bytes);
    }
  }

  @Test
  void randomGarbageParsesOrFailsWithInvalidCiphertext() {
    Random random = new Random(100);
    for (int i = 0; i < 5000; i++) {
      byte[] garbage = new byte[random.nextInt(64)];
      random.nextBytes(garbage);
      if (garbage.length > 0 && random.nextBoolean()) {
        garbage[0] = CiphertextBlob.FORMAT_V1;
      }
      try {
        CiphertextBlob b = CiphertextBlob.parse(garbage);
        assertThat(b.toBytes()).isEqualTo(garbage);
        assertThat(b.version()).isPositive();
      } catch (KmsException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CIPHERTEXT);
      }
    }
  }

  @Test
  void lengthBounds() {
    byte[] shortest = valid(1);
    assertThat(CiphertextBlob.parse(shortest).payload()).hasSize(1);
    byte[] longest = valid(CiphertextBlob.MAX_LENGTH - CiphertextBlob.HEADER_LENGTH);
    assertThat(longest).hasSize(CiphertextBlob.MAX_LENGTH);
    assertThat(CiphertextBlob.parse(longest).payload())
        .hasSize(CiphertextBlob.MAX_LENGTH - CiphertextBlob.HEADER_LENGTH);
  }

  @Test
  void malformedBlobsAreInvalidCiphertext() {
    byte[] good = valid(40);
    assertInvalid(null);
    assertInvalid(new byte[0]);
    assertInvalid(new byte[] {1});
    for (int n = 0; n <= CiphertextBlob.HEADER_LENGTH; n++) {
      assertInvalid(Arrays.copyOf(good, n)); // too short: the header alone, no payload
    }
    assertInvalid(valid(CiphertextBlob.MAX_LENGTH - CiphertextBlob.HEADER_LENGTH + 1)); // oversize
    for (int version : new int[] {0x00, 0x02, 0x7f, 0x80, 0xff}) {
      byte[] b = good.clone();
      b[0] = (byte) version;
      assertInvalid(b); // unknown format version
    }
    for (int protection : new int[] {0x00, 0x04, 0x7f, 0x80, 0xff}) {
      byte[] b = good.clone();
      b[21] = (byte) protection;
      assertInvalid(b); // unknown protection level
    }
    byte[] versionZero = good.clone();
    Arrays.fill(versionZero, 17, 21, (byte) 0);
    assertInvalid(versionZero);
    byte[] negativeVersion = good.clone();
    negativeVersion[17] = (byte) 0x80; // 2^31 and above do not fit a version number
    assertInvalid(negativeVersion);
  }

  @Test
  void factoryRejectsWhatTheParserWouldReject() {
    assertThatThrownBy(() -> CiphertextBlob.of(KEY_ID, 0, ProtectionLevel.SOFTWARE, new byte[1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CiphertextBlob.of(KEY_ID, 1, ProtectionLevel.SOFTWARE, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void payloadIsCopied() {
    byte[] payload = {1, 2, 3};
    CiphertextBlob b = CiphertextBlob.of(KEY_ID, 1, ProtectionLevel.SOFTWARE, payload);
    payload[0] = 9;
    b.payload()[1] = 9;
    assertThat(b.payload()).containsExactly(1, 2, 3);
  }

  @Test
  void additionalDataLayout() {
    EncryptionContext ctx = EncryptionContext.of(Map.of("a", "b"));
    byte[] aad = CiphertextBlob.aadFor("acme", KEY_ID, 7, ProtectionLevel.SOFTWARE, ctx);
    String expected =
        HEX.formatHex("strongroom/blob/v1".getBytes(StandardCharsets.US_ASCII))
            + "00" // label terminator
            + "0004" // tenant length
            + "61636d65" // "acme"
            + "01"
            + KEY_ID
            + "00000007"
            + "01" // header
            + "0001000161000162"; // canonical context
    assertThat(HEX.formatHex(aad)).isEqualTo(expected);

    CiphertextBlob blob = CiphertextBlob.of(KEY_ID, 7, ProtectionLevel.SOFTWARE, new byte[] {5});
    assertThat(blob.aad("acme", ctx)).isEqualTo(aad);
    assertThat(CiphertextBlob.parse(blob.toBytes()).aad("acme", ctx)).isEqualTo(aad);
  }

  @Test
  void additionalDataSeparatesTenantsContextsAndHeaders() {
    EncryptionContext ctx = EncryptionContext.of(Map.of("a", "b"));
    byte[] base = CiphertextBlob.aadFor("acme", KEY_ID, 7, ProtectionLevel.SOFTWARE, ctx);
    assertThat(CiphertextBlob.aadFor("acmf", KEY_ID, 7, ProtectionLevel.SOFTWARE, ctx))
        .isNotEqualTo(base);
    assertThat(CiphertextBlob.aadFor("acme", KEY_ID, 8, ProtectionLevel.SOFTWARE, ctx))
        .isNotEqualTo(base);
    assertThat(CiphertextBlob.aadFor("acme", KEY_ID, 7, ProtectionLevel.HSM, ctx))
        .isNotEqualTo(base);
    assertThat(
            CiphertextBlob.aadFor(
                "acme", KEY_ID, 7, ProtectionLevel.SOFTWARE, EncryptionContext.empty()))
        .isNotEqualTo(base);
    // the tenant is length-prefixed: moving bytes between tenant and header cannot collide
    assertThat(
            HEX.formatHex(
                CiphertextBlob.aadFor(
                    "a", KEY_ID, 7, ProtectionLevel.SOFTWARE, EncryptionContext.empty())))
        .contains("0001" + "61" + "01" + KEY_ID);
  }

  private static byte protectionByte(ProtectionLevel level) {
    return CiphertextBlob.of(KEY_ID, 1, level, new byte[1]).toBytes()[21];
  }

  private static byte[] valid(int payloadLength) {
    byte[] payload = new byte[payloadLength];
    Arrays.fill(payload, (byte) 0x5c);
    return CiphertextBlob.of(KEY_ID, 3, ProtectionLevel.SOFTWARE, payload).toBytes();
  }

  private static void assertInvalid(byte[] blob) {
    assertThatThrownBy(() -> CiphertextBlob.parse(blob))
        .isInstanceOf(KmsException.class)
        .satisfies(
            e -> assertThat(((KmsException) e).code()).isEqualTo(ErrorCode.INVALID_CIPHERTEXT));
  }
}
