package io.strongroom.client.envelope;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An encryption context in its canonical encoding: the same bytes the server authenticates with a
 * ciphertext blob (docs/FORMATS.md §3), re-implemented here because the SDK does not depend on
 * {@code kms-core}. All integers big-endian:
 *
 * <pre>
 * uint16 n                          number of entries, 0..64
 * n times, sorted by the UTF-8 bytes of the key (unsigned lexicographic order):
 *   uint16 k ‖ key (k bytes UTF-8)      1 ≤ k ≤ 256
 *   uint16 v ‖ value (v bytes UTF-8)    0 ≤ v ≤ 1024
 * </pre>
 *
 * {@code null} and the empty map are the same context, encoded {@code 00 00}. Keys and values must
 * be valid Unicode (an unpaired surrogate is refused rather than replaced), so that the encoding is
 * a function of the map and every map has exactly one encoding. Immutable.
 */
final class CanonicalContext {
  static final int MAX_ENTRIES = 64;
  static final int MAX_KEY_BYTES = 256;
  static final int MAX_VALUE_BYTES = 1024;

  static final CanonicalContext EMPTY = new CanonicalContext(Map.of(), new byte[] {0, 0});

  private final Map<String, String> entries;
  private final byte[] encoded;

  private CanonicalContext(Map<String, String> entries, byte[] encoded) {
    this.entries = entries;
    this.encoded = encoded;
  }

  /**
   * Validates and encodes a context.
   *
   * @throws IllegalArgumentException naming the rule the map breaks (null key or value, more than
   *     64 entries, an empty or over-long key, an over-long value, invalid Unicode)
   */
  static CanonicalContext of(Map<String, String> map) {
    if (map == null || map.isEmpty()) {
      return EMPTY;
    }
    if (map.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("an encryption context has at most 64 entries");
    }
    List<Item> items = new ArrayList<>(map.size());
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new IllegalArgumentException("encryption context keys and values must not be null");
      }
      byte[] k = utf8(e.getKey());
      byte[] v = utf8(e.getValue());
      if (k.length == 0 || k.length > MAX_KEY_BYTES) {
        throw new IllegalArgumentException(
            "encryption context keys must be 1 to 256 bytes of UTF-8");
      }
      if (v.length > MAX_VALUE_BYTES) {
        throw new IllegalArgumentException(
            "encryption context values must be at most 1024 bytes of UTF-8");
      }
      items.add(new Item(e.getKey(), e.getValue(), k, v));
    }
    // Distinct strings have distinct UTF-8 encodings, so there are no ties.
    items.sort((a, b) -> Arrays.compareUnsigned(a.keyBytes, b.keyBytes));
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    writeU16(out, items.size());
    LinkedHashMap<String, String> ordered = new LinkedHashMap<>();
    for (Item item : items) {
      writeU16(out, item.keyBytes.length);
      out.writeBytes(item.keyBytes);
      writeU16(out, item.valueBytes.length);
      out.writeBytes(item.valueBytes);
      ordered.put(item.key, item.value);
    }
    return new CanonicalContext(Collections.unmodifiableMap(ordered), out.toByteArray());
  }

  /**
   * Reads a canonical encoding, refusing anything that is not the one encoding of its map: keys out
   * of order or repeated, limits exceeded, invalid UTF-8.
   */
  static CanonicalContext read(HeaderReader in) throws IOException {
    int n = in.u16();
    if (n == 0) {
      return EMPTY;
    }
    if (n > MAX_ENTRIES) {
      throw new InvalidMessageException("encryption context has more than 64 entries");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    writeU16(out, n);
    LinkedHashMap<String, String> ordered = new LinkedHashMap<>();
    byte[] previous = null;
    for (int i = 0; i < n; i++) {
      int k = in.u16();
      if (k == 0 || k > MAX_KEY_BYTES) {
        throw new InvalidMessageException("encryption context key length out of range");
      }
      byte[] key = in.bytes(k);
      if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
        throw new InvalidMessageException("encryption context is not in canonical order");
      }
      int v = in.u16();
      if (v > MAX_VALUE_BYTES) {
        throw new InvalidMessageException("encryption context value length out of range");
      }
      byte[] value = in.bytes(v);
      ordered.put(fromUtf8(key), fromUtf8(value));
      writeU16(out, k);
      out.writeBytes(key);
      writeU16(out, v);
      out.writeBytes(value);
      previous = key;
    }
    return new CanonicalContext(Collections.unmodifiableMap(ordered), out.toByteArray());
  }

  private static final class Item {
    final String key;
    final String value;
    final byte[] keyBytes;
    final byte[] valueBytes;

    Item(String key, String value, byte[] keyBytes, byte[] valueBytes) {
      this.key = key;
      this.value = value;
      this.keyBytes = keyBytes;
      this.valueBytes = valueBytes;
    }
  }

  /** The entries in canonical order (unmodifiable). */
  Map<String, String> entries() {
    return entries;
  }

  /** The canonical encoding. Not copied: callers must not modify it. */
  byte[] encoded() {
    return encoded;
  }

  private static byte[] utf8(String s) {
    // Without surrogates every string is valid Unicode and String.getBytes is exact (and several
    // times cheaper than a new strict encoder, which matters: this runs for every message).
    boolean surrogates = false;
    for (int i = 0; i < s.length() && !surrogates; i++) {
      surrogates = Character.isSurrogate(s.charAt(i));
    }
    if (!surrogates) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    try {
      ByteBuffer b =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(s));
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "encryption context keys and values must be valid Unicode", e);
    }
  }

  private static String fromUtf8(byte[] b) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidMessageException("encryption context is not valid UTF-8");
    }
  }

  private static void writeU16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CanonicalContext c && Arrays.equals(c.encoded, encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "EncryptionContext" + entries;
  }
}
