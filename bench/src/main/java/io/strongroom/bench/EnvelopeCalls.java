package io.strongroom.bench;

import io.strongroom.client.envelope.EnvelopeEncryptor;
import java.util.Locale;

/**
 * Counts the calls an {@link EnvelopeEncryptor} makes to its data-key source (the server) for
 * 10,000 messages of 32 bytes under one context: encrypting them from a cold cache, then decrypting
 * them all with a second, cold encryptor. Run by {@code bench/run.sh envelope-calls}.
 */
public final class EnvelopeCalls {
  private EnvelopeCalls() {}

  /** Optional argument: the number of messages (default 10,000). */
  public static void main(String[] args) {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    InMemoryDataKeySource source = new InMemoryDataKeySource();
    byte[] plaintext = new byte[32];
    byte[][] sealed = new byte[messages][];
    try (EnvelopeEncryptor sender =
        EnvelopeEncryptor.builder().dataKeys(source).keyName("bench-key").build()) {
      for (int i = 0; i < messages; i++) {
        sealed[i] = sender.encrypt(plaintext, EnvelopeBenchmark.CONTEXT);
      }
    }
    long generate = source.generateCalls();
    try (EnvelopeEncryptor receiver = EnvelopeEncryptor.builder().dataKeys(source).build()) {
      for (byte[] m : sealed) {
        receiver.decrypt(m, EnvelopeBenchmark.CONTEXT);
      }
    }
    long decrypt = source.decryptCalls();
    System.out.printf(
        Locale.ROOT,
        "messages=%d payloadBytes=32 contexts=1%n"
            + "encrypt: %d generate-data-key calls (%.1f per 10,000 messages)%n"
            + "decrypt: %d decrypt calls (%.1f per 10,000 messages)%n",
        messages,
        generate,
        generate * 10_000.0 / messages,
        decrypt,
        decrypt * 10_000.0 / messages);
  }
}
