package io.strongroom.client;

/** {@code UNAUTHENTICATED}: the token is missing, malformed, unknown, expired or revoked (401). */
public class UnauthenticatedException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public UnauthenticatedException(int httpStatus, String message, String requestId) {
    super("UNAUTHENTICATED", httpStatus, message, requestId, null);
  }
}
