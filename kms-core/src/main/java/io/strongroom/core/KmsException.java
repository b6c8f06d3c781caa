package io.strongroom.core;

/**
 * A use-case failure with a stable {@link ErrorCode}. The message is safe to show to the caller: it
 * never contains key material, plaintext or a stack trace.
 */
public class KmsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String keyName;
  private final Integer keyVersion;

  public KmsException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public KmsException(ErrorCode code, String message, Throwable cause) {
    this(code, message, cause, null, null);
  }

  private KmsException(
      ErrorCode code, String message, Throwable cause, String keyName, Integer keyVersion) {
    super(message, cause, false, false);
    this.code = code;
    this.keyName = keyName;
    this.keyVersion = keyVersion;
  }

  public ErrorCode code() {
    return code;
  }

  /**
   * The same failure, noting which key version it concerned (for the audit record only; the message
   * shown to the caller is unchanged).
   */
  public KmsException about(String key, Integer version) {
    return new KmsException(code, getMessage(), getCause(), key, version);
  }

  /** The key the failure concerned, when known. */
  public String keyName() {
    return keyName;
  }

  /** The key version the failure concerned, when known. */
  public Integer keyVersion() {
    return keyVersion;
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
