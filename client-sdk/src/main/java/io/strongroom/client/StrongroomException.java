package io.strongroom.client;

import io.strongroom.api.ErrorResponse;
import java.util.Locale;

/**
 * An error answered by the Strongroom server, or a failure to reach it ({@link
 * StrongroomConnectionException}). Unchecked; every SDK call may throw it.
 *
 * <p>{@link #code()} is the server's stable error code (see DESIGN.md §5: {@code INVALID_ARGUMENT},
 * {@code NOT_FOUND}, ...); each known code has its own subclass, so callers can catch exactly the
 * failures they handle:
 *
 * <pre>{@code
 * try {
 *   client.decrypt("acme", blob, context);
 * } catch (InvalidCiphertextException e) {
 *   // tampered, foreign, or wrong context: the server does not say which
 * } catch (StrongroomException e) {
 *   log.warn("strongroom call failed: {} (request {})", e.code(), e.requestId());
 * }
 * }</pre>
 *
 * <p>Messages never carry plaintext, key material or tokens: they hold the server's message (which
 * never does either), the code, the HTTP status and the request id, which the server also writes to
 * its audit log, so quote it to the operator.
 */
public class StrongroomException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Code of {@link StrongroomConnectionException}: no HTTP response was received. */
  public static final String CONNECTION_FAILED = "CONNECTION_FAILED";

  /** Code used when a response cannot be understood (not JSON, or not the expected shape). */
  public static final String INVALID_RESPONSE = "INVALID_RESPONSE";

  private final String code;
  private final int httpStatus;
  private final String serverMessage;
  private final String requestId;

  /**
   * @param code the stable error code
   * @param httpStatus the HTTP status, or 0 when there was no response
   * @param serverMessage the server's message (for people), or a client-side description
   * @param requestId the server's request id, or null when unknown
   * @param cause the underlying failure, or null
   */
  public StrongroomException(
      String code, int httpStatus, String serverMessage, String requestId, Throwable cause) {
    super(format(code, httpStatus, serverMessage, requestId), cause);
    this.code = code;
    this.httpStatus = httpStatus;
    this.serverMessage = serverMessage;
    this.requestId = requestId;
  }

  private static String format(String code, int status, String message, String requestId) {
    StringBuilder b = new StringBuilder();
    b.append(code);
    if (status > 0) {
      b.append(" (HTTP ").append(status).append(')');
    }
    if (message != null && !message.isEmpty()) {
      b.append(": ").append(message);
    }
    if (requestId != null) {
      b.append(" [request ").append(requestId).append(']');
    }
    return b.toString();
  }

  /** The stable error code, e.g. {@code NOT_FOUND}; {@value #CONNECTION_FAILED} for transport. */
  public String code() {
    return code;
  }

  /** The HTTP status of the answer, or 0 when no answer was received. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The server's message for people (never secret material), without code or request id. */
  public String serverMessage() {
    return serverMessage;
  }

  /** The request id ({@code X-Request-Id}) to quote to the operator, or null when unknown. */
  public String requestId() {
    return requestId;
  }

  /**
   * Whether the failure is transient ({@code UNAVAILABLE}, {@code RESOURCE_EXHAUSTED}, or no
   * response at all). The client retries such failures by itself for operations that are safe to
   * repeat (see {@link StrongroomClient}); when this is thrown, the retries are used up or the
   * operation was not safe to repeat.
   */
  public boolean isTransient() {
    return false;
  }

  /**
   * The typed exception for an error detail, e.g. one {@code error} of a batch result.
   *
   * @param httpStatus the HTTP status, or 0 to use the usual status of the code
   */
  public static StrongroomException of(ErrorResponse.Detail detail, int httpStatus) {
    String code = detail == null || detail.code() == null ? "UNKNOWN" : detail.code();
    String message = detail == null ? null : detail.message();
    String requestId = detail == null ? null : detail.requestId();
    return of(code, httpStatus > 0 ? httpStatus : statusOf(code), message, requestId);
  }

  static StrongroomException of(String code, int status, String message, String requestId) {
    return switch (code.toUpperCase(Locale.ROOT)) {
      case "INVALID_ARGUMENT" -> new InvalidArgumentException(status, message, requestId);
      case "INVALID_CIPHERTEXT" -> new InvalidCiphertextException(status, message, requestId);
      case "FAILED_PRECONDITION" -> new FailedPreconditionException(status, message, requestId);
      case "UNAUTHENTICATED" -> new UnauthenticatedException(status, message, requestId);
      case "PERMISSION_DENIED" -> new PermissionDeniedException(status, message, requestId);
      case "NOT_FOUND" -> new NotFoundException(status, message, requestId);
      case "ALREADY_EXISTS" -> new AlreadyExistsException(status, message, requestId);
      case "CONFLICT" -> new ConflictException(status, message, requestId);
      case "PAYLOAD_TOO_LARGE" -> new PayloadTooLargeException(status, message, requestId);
      case "RESOURCE_EXHAUSTED" -> new ResourceExhaustedException(status, message, requestId);
      case "UNAVAILABLE" -> new UnavailableException(status, message, requestId);
      case "INTERNAL" -> new InternalException(status, message, requestId);
      default -> new StrongroomException(code, status, message, requestId, null);
    };
  }

  /** The code for an HTTP status whose body carried none (e.g. an error page of a proxy). */
  static String codeOf(int status) {
    return switch (status) {
      case 400 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 409 -> "CONFLICT";
      case 413 -> "PAYLOAD_TOO_LARGE";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 502, 503, 504 -> "UNAVAILABLE";
      default -> status >= 500 ? "INTERNAL" : "UNKNOWN";
    };
  }

  /** The usual HTTP status of a code (DESIGN.md §5). */
  static int statusOf(String code) {
    return switch (code) {
      case "INVALID_ARGUMENT", "INVALID_CIPHERTEXT", "FAILED_PRECONDITION" -> 400;
      case "UNAUTHENTICATED" -> 401;
      case "PERMISSION_DENIED" -> 403;
      case "NOT_FOUND" -> 404;
      case "ALREADY_EXISTS", "CONFLICT" -> 409;
      case "PAYLOAD_TOO_LARGE" -> 413;
      case "RESOURCE_EXHAUSTED" -> 429;
      case "UNAVAILABLE" -> 503;
      case "INTERNAL" -> 500;
      default -> 0;
    };
  }
}
