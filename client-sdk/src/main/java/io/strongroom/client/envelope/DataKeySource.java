package io.strongroom.client.envelope;

import java.util.Map;

/**
 * Where an {@link EnvelopeEncryptor} gets and unwraps data keys: in production the Strongroom
 * server through {@code StrongroomClient}; in tests anything that honours the contract.
 * Implementations are thread-safe; calls may block on the network and throw the SDK's unchecked
 * exceptions.
 */
public interface DataKeySource {
  /** A fresh data key: its plaintext (owned by the caller, who zeroes it) and its wrapped blob. */
  record DataKey(byte[] plaintext, byte[] ciphertext) {
    @Override
    public String toString() {
      return "DataKey[plaintext REDACTED, " + ciphertext.length + "-byte blob]";
    }
  }

  /** Generates a {@code bytes}-byte data key under {@code keyName}, bound to {@code context}. */
  DataKey generateDataKey(String keyName, int bytes, Map<String, String> context);

  /** Unwraps a data key blob made with the same {@code context}. */
  byte[] decryptDataKey(byte[] ciphertext, Map<String, String> context);
}
