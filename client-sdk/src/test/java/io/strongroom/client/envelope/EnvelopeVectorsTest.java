package io.strongroom.client.envelope;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The frozen format vectors of envelope message v1 ({@code vectors/envelope-v1.txt}): every release
 * must keep reading them. {@link #writeVectors} wrote the file (run it only to make a new file for
 * a new format, never to overwrite this one once released): byte-array messages (data-key mode) and
 * stream messages (message-key mode), each mode with a multi-segment message.
 */
class EnvelopeVectorsTest {
  static final HexFormat HEX = HexFormat.of();
  static final String FILE = "/vectors/envelope-v1.txt";

  @Test
  void frozenVectorsStillDecrypt() throws Exception {
    List<Map<String, String>> vectors = read();
    assertThat(vectors).hasSize(6);
    assertThat(vectors)
        .extracting(v -> v.get("bodyKeyMode"))
        .containsExactly("00", "00", "00", "00", "01", "01");
    for (Map<String, String> v : vectors) {
      String what = v.get("description");
      byte[] message = HEX.parseHex(v.get("messageHex"));
      byte[] dataKey = HEX.parseHex(v.get("dataKeyHex"));
      byte[] plaintext = plaintext(v);
      Map<String, String> context = context(v);

      // The header, field by field.
      Message.Header h = Message.header(message);
      assertThat(h.version()).as(what).isEqualTo(1);
      int mode = Integer.parseInt(v.get("bodyKeyMode"), 16);
      assertThat(h.bodyKeyMode()).as(what).isEqualTo(mode);
      assertThat(HEX.formatHex(h.messageId())).as(what).isEqualTo(v.get("messageIdHex"));
      assertThat(h.context()).as(what).isEqualTo(context);
      assertThat(HEX.formatHex(CanonicalContext.of(context).encoded()))
          .as(what)
          .isEqualTo(v.get("contextCanonicalHex"));
      assertThat(HEX.formatHex(h.wrappedDataKey())).as(what).isEqualTo(v.get("wrappedKeyHex"));
      assertThat(HEX.formatHex(h.commitment())).as(what).isEqualTo(v.get("commitmentHex"));
      assertThat(HEX.formatHex(message, 0, h.length())).as(what).isEqualTo(v.get("headerHex"));

      // The derivations from the data key.
      assertThat(HEX.formatHex(EnvelopeCrypto.commitment(dataKey)))
          .as(what)
          .isEqualTo(v.get("commitmentHex"));
      byte[] bodyKey =
          mode == Message.BODY_KEY_DATA_KEY
              ? EnvelopeCrypto.bodyKey(dataKey)
              : EnvelopeCrypto.messageKey(dataKey, h.messageId());
      assertThat(HEX.formatHex(bodyKey)).as(what).isEqualTo(v.get("bodyKeyHex"));
      assertThat(HEX.formatHex(EnvelopeCrypto.nonceBase(h.raw())))
          .as(what)
          .isEqualTo(v.get("nonceBaseHex"));
      assertThat(EnvelopeCrypto.open(h, message, bodyKey)).as(what).isEqualTo(plaintext);

      // And end to end, through the data key source, by array and by stream.
      FakeDataKeySource source =
          new FakeDataKeySource(HEX.parseHex(v.get("wrappingKeyHex")), () -> null);
      try (EnvelopeEncryptor e = EnvelopeEncryptor.builder().dataKeys(source).build()) {
        assertThat(e.decrypt(message, context)).as(what).isEqualTo(plaintext);
        try (InputStream in = e.decryptingStream(new ByteArrayInputStream(message), context)) {
          assertThat(in.readAllBytes()).as(what).isEqualTo(plaintext);
        }
      }
    }
  }

  @Test
  void sizesFollowTheDocumentedFormula() throws Exception {
    for (Map<String, String> v : read()) {
      byte[] message = HEX.parseHex(v.get("messageHex"));
      int h = Message.header(message).length();
      int wrapped = HEX.parseHex(v.get("wrappedKeyHex")).length;
      int c = HEX.parseHex(v.get("contextCanonicalHex")).length;
      assertThat(h).isEqualTo(71 + c + wrapped);
      long n = plaintext(v).length;
      long segments = Math.max(1, (n + 65_519) / 65_520);
      assertThat(message.length).isEqualTo(h + n + 16 * segments);
    }
  }

  /** Writes a new vector file: {@code -Dstrongroom.writeEnvelopeVectors=/path/file.txt}. */
  @Test
  @EnabledIfSystemProperty(named = "strongroom.writeEnvelopeVectors", matches = ".+")
  void writeVectors() throws Exception {
    byte[] wrappingKey =
        HEX.parseHex("5f0b1e7c2a9d4e3f8a6b0c1d2e3f40516273849a5b6c7d8e9fa0b1c2d3e4f506");
    StringBuilder out = new StringBuilder(HEADER_COMMENT);
    List<Object[]> specs = new ArrayList<>();
    specs.add(
        new Object[] {
          "byte array (data-key mode): empty plaintext, empty context", new byte[0], Map.of(), false
        });
    specs.add(
        new Object[] {
          "byte array (data-key mode): ASCII plaintext, two context entries",
          "hello, envelope".getBytes(UTF_8),
          Map.of("volume", "vol-0001", "purpose", "backup"),
          false
        });
    specs.add(
        new Object[] {
          "byte array (data-key mode): 1 KiB plaintext, non-ASCII context sorted by UTF-8 bytes"
              + " (U+FF61 before U+1F600)",
          pattern(1024),
          Map.of("\ud83d\ude00", "grin", "\uff61", "halfwidth stop", "\u00e9t\u00e9", "summer"),
          false
        });
    specs.add(
        new Object[] {
          "byte array (data-key mode): two segments, 65,521 bytes, one more than a segment holds",
          pattern(65_521),
          Map.of("purpose", "segments"),
          false
        });
    specs.add(
        new Object[] {
          "stream (message-key mode): ASCII plaintext, two context entries",
          "hello, envelope".getBytes(UTF_8),
          Map.of("volume", "vol-0001", "purpose", "backup"),
          true
        });
    specs.add(
        new Object[] {
          "stream (message-key mode): two segments, 65,521 bytes, one more than a segment holds",
          pattern(65_521),
          Map.of("purpose", "segments"),
          true
        });
    int i = 0;
    for (Object[] spec : specs) {
      i++;
      byte[] dataKey = new byte[32];
      byte[] id = new byte[32];
      for (int j = 0; j < 32; j++) {
        dataKey[j] = (byte) (16 * i + j);
        id[j] = (byte) (0xa0 + 16 * i + j);
      }
      FakeDataKeySource source = new FakeDataKeySource(wrappingKey, dataKey::clone);
      byte[] plaintext = (byte[]) spec[1];
      @SuppressWarnings("unchecked")
      Map<String, String> context = (Map<String, String>) spec[2];
      boolean stream = (Boolean) spec[3];
      byte[] message;
      try (EnvelopeEncryptor e =
          EnvelopeEncryptor.builder()
              .dataKeys(source)
              .keyName("orders")
              .messageIds(id::clone)
              .build()) {
        if (stream) {
          ByteArrayOutputStream sink = new ByteArrayOutputStream();
          try (OutputStream w = e.encryptingStream(sink, context)) {
            w.write(plaintext);
          }
          message = sink.toByteArray();
        } else {
          message = e.encrypt(plaintext, context);
        }
      }
      Message.Header h = Message.header(message);
      byte[] bodyKey =
          stream ? EnvelopeCrypto.messageKey(dataKey, id) : EnvelopeCrypto.bodyKey(dataKey);
      out.append("description=").append(spec[0]).append('\n');
      out.append("bodyKeyMode=").append(String.format("%02x", h.bodyKeyMode())).append('\n');
      out.append("wrappingKeyHex=").append(HEX.formatHex(wrappingKey)).append('\n');
      out.append("dataKeyHex=").append(HEX.formatHex(dataKey)).append('\n');
      out.append("messageIdHex=").append(HEX.formatHex(id)).append('\n');
      for (Map.Entry<String, String> c : h.context().entrySet()) {
        out.append("context.").append(c.getKey()).append('=').append(c.getValue()).append('\n');
      }
      out.append("contextCanonicalHex=")
          .append(HEX.formatHex(CanonicalContext.of(context).encoded()))
          .append('\n');
      if (plaintext.length < 1024) {
        out.append("plaintextHex=").append(HEX.formatHex(plaintext)).append('\n');
      } else {
        out.append("plaintextPatternLength=").append(plaintext.length).append('\n');
      }
      out.append("plaintextSha256Hex=").append(HEX.formatHex(sha256(plaintext))).append('\n');
      out.append("wrappedKeyHex=").append(HEX.formatHex(h.wrappedDataKey())).append('\n');
      out.append("commitmentHex=")
          .append(HEX.formatHex(EnvelopeCrypto.commitment(dataKey)))
          .append('\n');
      out.append("bodyKeyHex=").append(HEX.formatHex(bodyKey)).append('\n');
      out.append("nonceBaseHex=")
          .append(HEX.formatHex(EnvelopeCrypto.nonceBase(h.raw())))
          .append('\n');
      out.append("headerHex=").append(HEX.formatHex(message, 0, h.length())).append('\n');
      out.append("messageHex=").append(HEX.formatHex(message)).append("\n\n");
    }
    Files.writeString(Path.of(System.getProperty("strongroom.writeEnvelopeVectors")), out, UTF_8);
  }

  static final String HEADER_COMMENT =
      """
      # Strongroom envelope message format v1 (io.strongroom.client.envelope.Message): FROZEN vectors.
      #
      # Written once by release 0.1 and checked in. Every later release must still parse and decrypt
      # these messages: never regenerate or edit this file; add a new file for a new format.
      #
      # Format of this file: UTF-8 text; lines starting with '#' are comments; one vector per block of
      # key=value lines (split at the first '='); blocks are separated by blank lines. Fields:
      #   description             what the vector exercises
      #   bodyKeyMode             header byte 4: 00 data-key mode (what byte-array encrypt writes),
      #                           01 message-key mode (what encryptingStream writes)
      #   wrappingKeyHex          the test data key source's AES-256-GCM wrapping key (TEST VALUE ONLY);
      #                           its wrapped key is uint16 len(key name) ‖ key name ‖ AES-GCM(dataKey,
      #                           AAD = uint16 len(key name) ‖ key name ‖ canonical context), opaque
      #                           to the envelope format, which only carries it
      #   dataKeyHex              the 32-byte plaintext data key (TEST VALUE ONLY)
      #   messageIdHex            the message id (fixed for the vector; random in real messages)
      #   context.<k>=<v>         one encryption context entry each (none: the empty context)
      #   contextCanonicalHex     the canonical encoding of the context (docs/FORMATS.md §3)
      #   plaintextHex            the plaintext, or
      #   plaintextPatternLength  the plaintext is that many bytes, byte i being (i mod 251)
      #   plaintextSha256Hex      SHA-256 of the plaintext
      #   wrappedKeyHex           the wrapped data key in the header
      #   commitmentHex           HMAC-SHA256(key = dataKey, "strongroom/envelope/v1/commit")
      #   bodyKeyHex              the body key: in data-key mode
      #                           K_d = HMAC-SHA256(key = dataKey, "strongroom/envelope/v1/body");
      #                           in message-key mode K_m, the XAES-256-GCM derived key of dataKey
      #                           for salt = message id[0..12)
      #   nonceBaseHex            base, nonce_i = base XOR (0^7 ‖ uint32 i ‖ 01 if last else 00): in
      #                           data-key mode message id[0..12), in message-key mode
      #                           message id[12..19) ‖ 00 00 00 00 00
      #   headerHex               the header (the body's associated data)
      #   messageHex              the whole message

      """;

  // ---------------------------------------------------------------------------------------------

  static List<Map<String, String>> read() throws IOException {
    String text;
    try (InputStream in = EnvelopeVectorsTest.class.getResourceAsStream(FILE)) {
      assertThat(in).as(FILE).isNotNull();
      text = new String(in.readAllBytes(), UTF_8);
    }
    List<Map<String, String>> out = new ArrayList<>();
    for (String block : Pattern.compile("\n\n").splitAsStream(text).toList()) {
      Map<String, String> v = new LinkedHashMap<>();
      for (String line : block.lines().toList()) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int eq = line.indexOf('=');
        v.put(line.substring(0, eq), line.substring(eq + 1));
      }
      if (!v.isEmpty()) {
        out.add(v);
      }
    }
    return out;
  }

  static Map<String, String> context(Map<String, String> v) {
    Map<String, String> c = new LinkedHashMap<>();
    v.forEach(
        (k, value) -> {
          if (k.startsWith("context.")) {
            c.put(k.substring("context.".length()), value);
          }
        });
    return c;
  }

  static byte[] plaintext(Map<String, String> v) throws Exception {
    byte[] p =
        v.containsKey("plaintextHex")
            ? HEX.parseHex(v.get("plaintextHex"))
            : pattern(Integer.parseInt(v.get("plaintextPatternLength")));
    assertThat(HEX.formatHex(sha256(p))).isEqualTo(v.get("plaintextSha256Hex"));
    return p;
  }

  static byte[] pattern(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i % 251);
    }
    return b;
  }

  static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }
}
