package io.strongroom.client;

/**
 * {@code UNAVAILABLE}: the store, the audit log or a custodian is down (503); transient, retried
 * where safe.
 */
public class UnavailableException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public UnavailableException(int httpStatus, String message, String requestId) {
    super("UNAVAILABLE", httpStatus, message, requestId, null);
  }

  @Override
  public boolean isTransient() {
    return true;
  }
}
