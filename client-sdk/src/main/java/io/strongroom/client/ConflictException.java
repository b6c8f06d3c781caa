package io.strongroom.client;

/**
 * {@code CONFLICT}: the key moved on since the revision sent in {@code If-Match} (409); read it
 * again and retry.
 */
public class ConflictException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public ConflictException(int httpStatus, String message, String requestId) {
    super("CONFLICT", httpStatus, message, requestId, null);
  }
}
