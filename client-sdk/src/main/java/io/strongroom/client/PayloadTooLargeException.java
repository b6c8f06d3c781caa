package io.strongroom.client;

/** {@code PAYLOAD_TOO_LARGE}: the body exceeds the server's limit, or a plaintext 64 KiB (413). */
public class PayloadTooLargeException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public PayloadTooLargeException(int httpStatus, String message, String requestId) {
    super("PAYLOAD_TOO_LARGE", httpStatus, message, requestId, null);
  }
}
