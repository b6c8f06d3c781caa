package io.strongroom.client;

/**
 * No answer from the server: the connection was refused or lost, TLS failed, or an attempt timed
 * out before a response arrived. {@link #code()} is {@value StrongroomException#CONNECTION_FAILED},
 * {@link #httpStatus()} is 0 and {@link #requestId()} null; {@link #getCause()} is the underlying
 * {@link java.io.IOException} (or {@link InterruptedException}) of the last attempt.
 *
 * <p>For an operation that is not safe to repeat (see {@link StrongroomClient}) the outcome is
 * unknown: the server may have carried it out.
 */
public class StrongroomConnectionException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  private final int attempts;

  public StrongroomConnectionException(String message, int attempts, Throwable cause) {
    super(CONNECTION_FAILED, 0, message, null, cause);
    this.attempts = attempts;
  }

  /** How many attempts were made before giving up. */
  public int attempts() {
    return attempts;
  }

  @Override
  public boolean isTransient() {
    return true;
  }
}
