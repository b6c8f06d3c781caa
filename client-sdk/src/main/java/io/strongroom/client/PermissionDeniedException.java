package io.strongroom.client;

/** {@code PERMISSION_DENIED}: the principal lacks a role this operation needs (403). */
public class PermissionDeniedException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public PermissionDeniedException(int httpStatus, String message, String requestId) {
    super("PERMISSION_DENIED", httpStatus, message, requestId, null);
  }
}
