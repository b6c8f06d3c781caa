package io.strongroom.client;

/** {@code INTERNAL}: a server bug (500); quote the request id to the operator. */
public class InternalException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public InternalException(int httpStatus, String message, String requestId) {
    super("INTERNAL", httpStatus, message, requestId, null);
  }
}
