package io.strongroom.client.envelope;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads the fields of a message header from a byte array or a stream, consuming exactly the header
 * and keeping its raw bytes (they are the associated data of the body). A header that ends early is
 * an {@link InvalidMessageException}.
 */
abstract class HeaderReader {
  abstract byte[] bytes(int n) throws IOException;

  /** The raw header bytes read so far. */
  abstract byte[] raw();

  /** How many bytes have been read. */
  abstract int position();

  final int u8() throws IOException {
    return bytes(1)[0] & 0xff;
  }

  final int u16() throws IOException {
    byte[] b = bytes(2);
    return (b[0] & 0xff) << 8 | (b[1] & 0xff);
  }

  static HeaderReader of(byte[] message) {
    return new ArrayReader(message);
  }

  static HeaderReader of(InputStream in) {
    return new StreamReader(in);
  }

  private static final class ArrayReader extends HeaderReader {
    private final byte[] a;
    private int pos;

    ArrayReader(byte[] a) {
      this.a = a;
    }

    @Override
    byte[] bytes(int n) {
      if (n > a.length - pos) {
        throw new InvalidMessageException("message is truncated");
      }
      byte[] out = Arrays.copyOfRange(a, pos, pos + n);
      pos += n;
      return out;
    }

    @Override
    byte[] raw() {
      return Arrays.copyOf(a, pos);
    }

    @Override
    int position() {
      return pos;
    }
  }

  private static final class StreamReader extends HeaderReader {
    private final InputStream in;
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream(256);

    StreamReader(InputStream in) {
      this.in = in;
    }

    @Override
    byte[] bytes(int n) throws IOException {
      byte[] b = in.readNBytes(n);
      if (b.length != n) {
        throw new InvalidMessageException("message is truncated");
      }
      raw.writeBytes(b);
      return b;
    }

    @Override
    byte[] raw() {
      return raw.toByteArray();
    }

    @Override
    int position() {
      return raw.size();
    }
  }
}
