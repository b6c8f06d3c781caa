package io.strongroom.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The canonical encoding of encryption contexts, against answers written from its Javadoc. */
class EncryptionContextTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void emptyContextEncodesAsTwoZeroBytes() {
    assertThat(hex(EncryptionContext.empty())).isEqualTo("0000");
    assertThat(hex(EncryptionContext.of(null))).isEqualTo("0000");
    assertThat(hex(EncryptionContext.of(Map.of()))).isEqualTo("0000");
    assertThat(EncryptionContext.of(Map.of())).isEqualTo(EncryptionContext.empty());
    assertThat(EncryptionContext.empty().entries()).isEmpty();
  }

  @Test
  void oneEntry() {
    // n=1 | klen=1 "a" | vlen=1 "b"
    assertThat(hex(EncryptionContext.of(Map.of("a", "b")))).isEqualTo("0001" + "000161" + "000162");
  }

  @Test
  void emptyValue() {
    assertThat(hex(EncryptionContext.of(Map.of("k", "")))).isEqualTo("0001" + "00016b" + "0000");
  }

  @Test
  void entriesAreSortedByKeyWhateverTheMapOrder() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("purpose", "backup");
    m.put("b", "2");
    m.put("a", "1");
    String expected =
        "0003"
            + "000161"
            + "000131"
            + "000162"
            + "000132"
            + "0007"
            + "707572706f7365" // purpose
            + "0006"
            + "6261636b7570"; // backup
    assertThat(hex(EncryptionContext.of(m))).isEqualTo(expected);
  }

  @Test
  void keysAreSortedByUtf8BytesNotUtf16Units() {
    // U+FF61 is EF BD A1 in UTF-8 and 0xFF61 in UTF-16; U+1F600 is F0 9F 98 80 and 0xD83D 0xDE00.
    // UTF-16 order puts U+1F600 first, UTF-8 byte order puts U+FF61 first.
    String halfwidthStop = "\uFF61";
    String grinning = "\uD83D\uDE00";
    assertThat(grinning.compareTo(halfwidthStop)).isNegative();
    String expected =
        "0002" + "0003" + "efbda1" + "0001" + "31" + "0004" + "f09f9880" + "0001" + "32";
    assertThat(hex(EncryptionContext.of(Map.of(halfwidthStop, "1", grinning, "2"))))
        .isEqualTo(expected);
    // Unsigned bytes: 'é' (C3 A9) sorts after 'z' (7A)
    assertThat(hex(EncryptionContext.of(Map.of("\u00e9", "", "z", ""))))
        .isEqualTo("0002" + "00017a" + "0000" + "0002c3a9" + "0000");
  }

  @Test
  void valuesAreUtf8() {
    assertThat(hex(EncryptionContext.of(Map.of("city", "Zürich"))))
        .isEqualTo("0001" + "0004" + "63697479" + "0007" + "5ac3bc72696368");
  }

  @Test
  void limitsAreInclusive() {
    Map<String, String> max = new HashMap<>();
    for (int i = 0; i < EncryptionContext.MAX_ENTRIES; i++) {
      max.put("k" + i, "v");
    }
    assertThat(EncryptionContext.of(max).entries()).hasSize(64);
    assertThat(EncryptionContext.of(Map.of("k".repeat(256), "v".repeat(1024))).canonical())
        .hasSize(2 + 2 + 256 + 2 + 1024);
    // limits are in UTF-8 bytes: 128 × 'é' is 256 bytes, 341 × '€' is 1023 bytes
    assertThat(EncryptionContext.of(Map.of("\u00e9".repeat(128), "\u20ac".repeat(341))).canonical())
        .hasSize(2 + 2 + 256 + 2 + 1023);
  }

  @Test
  void limitsAreEnforced() {
    Map<String, String> tooMany = new HashMap<>();
    for (int i = 0; i <= EncryptionContext.MAX_ENTRIES; i++) {
      tooMany.put("k" + i, "v");
    }
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("k", null);
    Map<String, String> nullKey = new HashMap<>();
    nullKey.put(null, "v");
    List<Map<String, String>> bad =
        List.of(
            tooMany,
            Map.of("", "v"),
            Map.of("k".repeat(257), "v"),
            Map.of("\u00e9".repeat(129), "v"),
            Map.of("k", "v".repeat(1025)),
            Map.of("k", "\u20ac".repeat(342)),
            nullValue,
            nullKey);
    for (Map<String, String> m : bad) {
      assertInvalidArgument(m);
    }
  }

  @Test
  void unpairedSurrogatesAreRejected() {
    assertInvalidArgument(Map.of("\uD800", "v"));
    assertInvalidArgument(Map.of("k\uDC00", "v"));
    assertInvalidArgument(Map.of("k", "v\uD83D"));
    assertInvalidArgument(Map.of("k", "\uDE00\uD83D"));
  }

  @Test
  void canonicalIsACopy() {
    EncryptionContext c = EncryptionContext.of(Map.of("a", "b"));
    byte[] bytes = c.canonical();
    bytes[0] = 9;
    assertThat(hex(c)).isEqualTo("0001000161000162");
  }

  @Test
  void equalityFollowsTheEncoding() {
    Map<String, String> m1 = new LinkedHashMap<>();
    m1.put("x", "1");
    m1.put("y", "2");
    Map<String, String> m2 = new LinkedHashMap<>();
    m2.put("y", "2");
    m2.put("x", "1");
    assertThat(EncryptionContext.of(m1)).isEqualTo(EncryptionContext.of(m2));
    assertThat(EncryptionContext.of(m1)).hasSameHashCodeAs(EncryptionContext.of(m2));
    assertThat(EncryptionContext.of(m1)).isNotEqualTo(EncryptionContext.of(Map.of("x", "1")));
    assertThat(EncryptionContext.of(Map.of("ab", "")))
        .isNotEqualTo(EncryptionContext.of(Map.of("a", "b")));
  }

  @Test
  void randomContextsDecodeBackAndIgnoreInsertionOrder() {
    Random random = new Random(7);
    String alphabet = "ab\u00e9\u20ac\uFF61\uD83D\uDE00z0-_ ";
    for (int round = 0; round < 500; round++) {
      Map<String, String> m = new HashMap<>();
      int n = random.nextInt(12);
      while (m.size() < n) {
        m.put(
            randomString(random, alphabet, 1 + random.nextInt(8)),
            randomString(random, alphabet, random.nextInt(10)));
      }
      EncryptionContext c = EncryptionContext.of(m);
      assertThat(decode(c.canonical())).isEqualTo(m);
      assertThat(c.entries()).isEqualTo(m);

      List<Map.Entry<String, String>> entries = new ArrayList<>(m.entrySet());
      Collections.shuffle(entries, random);
      Map<String, String> reordered = new LinkedHashMap<>();
      entries.forEach(e -> reordered.put(e.getKey(), e.getValue()));
      assertThat(EncryptionContext.of(reordered).canonical()).isEqualTo(c.canonical());
      assertKeysSortedByUtf8(c.canonical());
    }
  }

  /** A surrogate pair from the alphabet counts as one character. */
  private static String randomString(Random random, String alphabet, int length) {
    int[] cps = alphabet.codePoints().toArray();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < length; i++) {
      sb.appendCodePoint(cps[random.nextInt(cps.length)]);
    }
    return sb.toString();
  }

  private static Map<String, String> decode(byte[] canonical) {
    ByteBuffer b = ByteBuffer.wrap(canonical);
    int n = Short.toUnsignedInt(b.getShort());
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < n; i++) {
      m.put(readString(b), readString(b));
    }
    assertThat(b.hasRemaining()).isFalse();
    return m;
  }

  private static void assertKeysSortedByUtf8(byte[] canonical) {
    ByteBuffer b = ByteBuffer.wrap(canonical);
    int n = Short.toUnsignedInt(b.getShort());
    byte[] previous = null;
    for (int i = 0; i < n; i++) {
      byte[] k = new byte[Short.toUnsignedInt(b.getShort())];
      b.get(k);
      int valueLength = Short.toUnsignedInt(b.getShort());
      b.position(b.position() + valueLength);
      if (previous != null) {
        assertThat(java.util.Arrays.compareUnsigned(previous, k)).isNegative();
      }
      previous = k;
    }
  }

  private static String readString(ByteBuffer b) {
    byte[] s = new byte[Short.toUnsignedInt(b.getShort())];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static void assertInvalidArgument(Map<String, String> m) {
    assertThatThrownBy(() -> EncryptionContext.of(m))
        .isInstanceOf(KmsException.class)
        .satisfies(
            e -> assertThat(((KmsException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }

  private static String hex(EncryptionContext c) {
    return HEX.formatHex(c.canonical());
  }
}
