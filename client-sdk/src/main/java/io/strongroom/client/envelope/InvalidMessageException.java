package io.strongroom.client.envelope;

import io.strongroom.client.InvalidCiphertextException;

/**
 * An envelope message is malformed, truncated, tampered with, of an unknown version, fails its key
 * commitment, or does not carry the encryption context the caller expected. Thrown by every
 * decrypting operation of {@link EnvelopeEncryptor} and by {@link Message#header(byte[])},
 * including from {@code read} of a {@linkplain EnvelopeEncryptor#decryptingStream decrypting
 * stream} (which throws it unchecked rather than as an {@code IOException}, so that a damaged
 * message is never mistaken for an I/O failure of the underlying stream).
 *
 * <p>It is an {@link InvalidCiphertextException}: the server answers {@code INVALID_CIPHERTEXT}
 * when the wrapped data key inside a message was altered or the context was changed, so catching
 * {@code InvalidCiphertextException} catches every way a message can be bad, whether the SDK or the
 * server noticed. Like the server, the message deliberately says little: never plaintext, key
 * material or which byte was wrong.
 */
public final class InvalidMessageException extends InvalidCiphertextException {
  private static final long serialVersionUID = 1L;

  public InvalidMessageException(String message) {
    super(0, message, null);
  }
}
