package io.strongroom.client;

/**
 * {@code INVALID_ARGUMENT}: a malformed request: bad JSON, field, name, base64 or parameter (400).
 */
public class InvalidArgumentException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public InvalidArgumentException(int httpStatus, String message, String requestId) {
    super("INVALID_ARGUMENT", httpStatus, message, requestId, null);
  }
}
