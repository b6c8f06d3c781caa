package io.strongroom.core.crypto;

import io.strongroom.core.KmsException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * An encryption context: a string map bound to a ciphertext as additional authenticated data.
 * Decrypting with a different context fails. Contexts are not secret: they are written to the audit
 * log.
 *
 * <p>Canonical encoding (the bytes that are authenticated), all integers big-endian:
 *
 * <pre>
 * uint16  n                      number of entries, 0..64
 * n times, sorted by the UTF-8 bytes of the key (unsigned lexicographic order):
 *   uint16  key length k         1..256
 *   k bytes key, UTF-8
 *   uint16  value length v       0..1024
 *   v bytes value, UTF-8
 * </pre>
 *
 * The empty context encodes as {@code 00 00}. Keys and values must be valid Unicode (no unpaired
 * surrogates), so that the encoding is a function of the map.
 */
public final class EncryptionContext {
  public static final int MAX_ENTRIES = 64;
  public static final int MAX_KEY_BYTES = 256;
  public static final int MAX_VALUE_BYTES = 1024;

  private static final EncryptionContext EMPTY = new EncryptionContext(Map.of(), new byte[] {0, 0});

  private final Map<String, String> entries;
  private final byte[] canonical;

  private EncryptionContext(Map<String, String> entries, byte[] canonical) {
    this.entries = entries;
    this.canonical = canonical;
  }

  public static EncryptionContext empty() {
    return EMPTY;
  }

  /**
   * Validates and encodes a context.
   *
   * @throws KmsException INVALID_ARGUMENT naming the limit that the map breaks
   */
  public static EncryptionContext of(Map<String, String> map) {
    if (map == null || map.isEmpty()) {
      return EMPTY;
    }
    if (map.size() > MAX_ENTRIES) {
      throw KmsException.invalidArgument("context has more than 64 entries");
    }
    TreeMap<byte[], byte[]> sorted = new TreeMap<>(Arrays::compareUnsigned);
    TreeMap<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw KmsException.invalidArgument("context keys and values must be strings");
      }
      byte[] k = utf8(e.getKey());
      byte[] v = utf8(e.getValue());
      if (k.length == 0 || k.length > MAX_KEY_BYTES) {
        throw KmsException.invalidArgument("context keys must be 1 to 256 bytes of UTF-8");
      }
      if (v.length > MAX_VALUE_BYTES) {
        throw KmsException.invalidArgument("context values must be at most 1024 bytes of UTF-8");
      }
      sorted.put(k, v);
      copy.put(e.getKey(), e.getValue());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    writeU16(out, sorted.size());
    for (Map.Entry<byte[], byte[]> e : sorted.entrySet()) {
      writeU16(out, e.getKey().length);
      out.writeBytes(e.getKey());
      writeU16(out, e.getValue().length);
      out.writeBytes(e.getValue());
    }
    return new EncryptionContext(Collections.unmodifiableMap(copy), out.toByteArray());
  }

  /** The entries, sorted by key. */
  public Map<String, String> entries() {
    return entries;
  }

  /** The canonical encoding (a copy). */
  public byte[] canonical() {
    return canonical.clone();
  }

  int canonicalLength() {
    return canonical.length;
  }

  void writeCanonical(ByteBuffer out) {
    out.put(canonical);
  }

  /**
   * Strict UTF-8: a lone surrogate is refused (where {@code getBytes} would silently write '?'). A
   * loop over the chars and the JDK's intrinsic encoder cost a fraction of a {@code
   * CharsetEncoder}, which matters with a context per batch item.
   */
  private static byte[] utf8(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c)
            || i + 1 == s.length()
            || !Character.isLowSurrogate(s.charAt(i + 1))) {
          throw KmsException.invalidArgument("context keys and values must be valid Unicode");
        }
        i++;
      }
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void writeU16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncryptionContext c && Arrays.equals(c.canonical, canonical);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(canonical);
  }

  @Override
  public String toString() {
    return "EncryptionContext" + entries;
  }
}
