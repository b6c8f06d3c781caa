package io.strongroom.client;

/**
 * {@code RESOURCE_EXHAUSTED}: a rate or quota limit was hit (429); transient, retried where safe.
 */
public class ResourceExhaustedException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public ResourceExhaustedException(int httpStatus, String message, String requestId) {
    super("RESOURCE_EXHAUSTED", httpStatus, message, requestId, null);
  }

  @Override
  public boolean isTransient() {
    return true;
  }
}
