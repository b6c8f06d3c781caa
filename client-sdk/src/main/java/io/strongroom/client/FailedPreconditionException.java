package io.strongroom.client;

/**
 * {@code FAILED_PRECONDITION}: the key or version is in the wrong state (disabled, destroyed, below
 * a floor) or the protection level is not configured (400).
 */
public class FailedPreconditionException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public FailedPreconditionException(int httpStatus, String message, String requestId) {
    super("FAILED_PRECONDITION", httpStatus, message, requestId, null);
  }
}
