package io.strongroom.client;

/** {@code ALREADY_EXISTS}: the name is taken (409). */
public class AlreadyExistsException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public AlreadyExistsException(int httpStatus, String message, String requestId) {
    super("ALREADY_EXISTS", httpStatus, message, requestId, null);
  }
}
