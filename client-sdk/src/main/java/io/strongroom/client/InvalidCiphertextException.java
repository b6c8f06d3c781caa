package io.strongroom.client;

/**
 * {@code INVALID_CIPHERTEXT}: the blob is malformed, tampered, another tenant's, or the encryption
 * context differs; the server deliberately does not say which (400).
 */
public class InvalidCiphertextException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public InvalidCiphertextException(int httpStatus, String message, String requestId) {
    super("INVALID_CIPHERTEXT", httpStatus, message, requestId, null);
  }
}
