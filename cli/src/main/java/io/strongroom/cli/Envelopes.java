package io.strongroom.cli;

import io.strongroom.client.StrongroomClient;
import io.strongroom.client.envelope.EnvelopeEncryptor;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * The CLI's use of the SDK's {@link EnvelopeEncryptor}: one encryptor per command (its cache lives
 * as long as the process, so it holds one data key at most), closed — zeroing its data key — when
 * the stream is.
 */
final class Envelopes {
  private Envelopes() {}

  /**
   * A stream that encrypts what is written to it into one envelope message on {@code out}; closing
   * it completes the message and closes {@code out}.
   */
  static OutputStream encryptingStream(
      StrongroomClient client,
      String tenant,
      String key,
      Map<String, String> context,
      OutputStream out)
      throws IOException {
    EnvelopeEncryptor enc =
        EnvelopeEncryptor.builder().dataKeys(client.dataKeySource(tenant)).keyName(key).build();
    try {
      OutputStream stream = enc.encryptingStream(out, context);
      return new FilterOutputStream(stream) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            enc.close();
          }
        }
      };
    } catch (IllegalArgumentException e) {
      enc.close();
      throw new CliException("INVALID_ARGUMENT", ExitCodes.CLIENT, e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      enc.close();
      throw e;
    }
  }

  /**
   * The plaintext of the envelope message read from {@code in}.
   *
   * @param expectedContext the context the message must carry exactly, or null for any
   */
  static InputStream decryptingStream(
      StrongroomClient client, String tenant, Map<String, String> expectedContext, InputStream in)
      throws IOException {
    EnvelopeEncryptor enc =
        EnvelopeEncryptor.builder().dataKeys(client.dataKeySource(tenant)).build();
    try {
      InputStream stream = enc.decryptingStream(in, expectedContext);
      return new FilterInputStream(stream) {
        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            enc.close();
          }
        }
      };
    } catch (IOException | RuntimeException e) {
      enc.close();
      throw e;
    }
  }
}
