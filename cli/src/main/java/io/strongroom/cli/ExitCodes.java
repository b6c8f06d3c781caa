package io.strongroom.cli;

import io.strongroom.client.StrongroomConnectionException;
import io.strongroom.client.StrongroomException;
import java.util.Locale;

/**
 * The exit codes of {@code strongroom}, stable so that scripts can rely on them. Listed in the
 * footer of {@code strongroom --help} and in the README.
 */
public final class ExitCodes {
  private ExitCodes() {}

  /** Success. */
  public static final int OK = 0;

  /** An unexpected failure of the CLI itself (a bug; {@code --debug} shows the stack trace). */
  public static final int UNEXPECTED = 1;

  /** The command line is wrong: unknown command or option, missing or malformed value. */
  public static final int USAGE = 2;

  /**
   * The server did not accept the token (UNAUTHENTICATED) or refused the call (PERMISSION_DENIED).
   */
  public static final int AUTH = 3;

  /** No such tenant, principal, token, key or version (NOT_FOUND). */
  public static final int NOT_FOUND = 4;

  /**
   * The request was refused for what it asked (INVALID_ARGUMENT, INVALID_CIPHERTEXT,
   * FAILED_PRECONDITION, ALREADY_EXISTS, CONFLICT, PAYLOAD_TOO_LARGE), or a local file could not be
   * read or written.
   */
  public static final int CLIENT = 5;

  /**
   * The server could not be reached or failed (connection refused, TLS, timeout, UNAVAILABLE,
   * RESOURCE_EXHAUSTED, INTERNAL, an answer that is not Strongroom's).
   */
  public static final int SERVER = 6;

  /** {@code audit verify}: the audit chain does not verify (a record was edited, deleted...). */
  public static final int AUDIT_BROKEN = 7;

  /** The exit code for an error code of the API. */
  public static int forCode(String code, int httpStatus) {
    return switch (code == null ? "" : code.toUpperCase(Locale.ROOT)) {
      case "UNAUTHENTICATED", "PERMISSION_DENIED" -> AUTH;
      case "NOT_FOUND" -> NOT_FOUND;
      case "INVALID_ARGUMENT",
          "INVALID_CIPHERTEXT",
          "FAILED_PRECONDITION",
          "ALREADY_EXISTS",
          "CONFLICT",
          "PAYLOAD_TOO_LARGE" ->
          CLIENT;
      case "UNAVAILABLE",
          "RESOURCE_EXHAUSTED",
          "INTERNAL",
          StrongroomException.CONNECTION_FAILED,
          StrongroomException.INVALID_RESPONSE ->
          SERVER;
      default -> httpStatus >= 500 || httpStatus == 0 ? SERVER : CLIENT;
    };
  }

  /** The exit code for an SDK exception. */
  public static int forException(StrongroomException e) {
    if (e instanceof StrongroomConnectionException) {
      return SERVER;
    }
    return forCode(e.code(), e.httpStatus());
  }
}
