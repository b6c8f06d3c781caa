package io.strongroom.client;

/**
 * {@code NOT_FOUND}: no such tenant, principal, token, key or version; another tenant's answers the
 * same (404).
 */
public class NotFoundException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(int httpStatus, String message, String requestId) {
    super("NOT_FOUND", httpStatus, message, requestId, null);
  }
}
