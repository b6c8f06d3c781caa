package io.strongroom.core;

/**
 * A use-case failure with a stable {@link ErrorCode}. The message is safe to show to the caller: it
 * never contains key material, plaintext or a stack trace.
 */
public class KmsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public KmsException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public KmsException(ErrorCode code, String message, Throwable cause) {
    super(message, cause, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static KmsException invalidArgument(String message) {
    return new KmsException(ErrorCode.INVALID_ARGUMENT, message);
  }

  public static KmsException notFound(String message) {
    return new KmsException(ErrorCode.NOT_FOUND, message);
  }

  public static KmsException failedPrecondition(String message) {
    return new KmsException(ErrorCode.FAILED_PRECONDITION, message);
  }

  public static KmsException conflict(String message) {
    return new KmsException(ErrorCode.CONFLICT, message);
  }

  public static KmsException permissionDenied(String message) {
    return new KmsException(ErrorCode.PERMISSION_DENIED, message);
  }

  public static KmsException unavailable(String message, Throwable cause) {
    return new KmsException(ErrorCode.UNAVAILABLE, message, cause);
  }

  /** The one answer for any ciphertext that does not decrypt, whatever the cause. */
  public static KmsException invalidCiphertext() {
    return new KmsException(
        ErrorCode.INVALID_CIPHERTEXT,
        "ciphertext is invalid, was not made for this tenant, or the encryption context differs");
  }
}
