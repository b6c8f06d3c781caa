package io.strongroom.core;

/**
 * Stable error codes of the API. The names are part of the wire contract: clients branch on them,
 * so they never change meaning. The HTTP status of each is fixed by the server's one failure
 * handler.
 */
public enum ErrorCode {
  INVALID_ARGUMENT,
  /** Tampered, truncated, foreign or wrong-context ciphertext: one code so no oracle leaks. */
  INVALID_CIPHERTEXT,
  /** Disabled key or version, destroyed version, floor not met, protection not configured. */
  FAILED_PRECONDITION,
  UNAUTHENTICATED,
  PERMISSION_DENIED,
  NOT_FOUND,
  ALREADY_EXISTS,
  /** Stale revision in {@code If-Match}, or a concurrent update won. */
  CONFLICT,
  PAYLOAD_TOO_LARGE,
  /**
   * The server is handling as many requests as it may. Always answered before the request is
   * handled, so that a client may repeat any request answered with it (the SDK does).
   */
  RESOURCE_EXHAUSTED,
  /** Store or custodian down. */
  UNAVAILABLE,
  INTERNAL
}
