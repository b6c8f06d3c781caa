package io.strongroom.server.http;

import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that maps failures to HTTP: a {@link KmsException}'s code fixes the status and its
 * message is shown; anything else is a bug, answered INTERNAL with a fixed message and logged.
 * Client errors are logged without stack traces, and no message ever carries a secret.
 */
public final class Errors {
  private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

  private static final Map<ErrorCode, Integer> STATUS = new EnumMap<>(ErrorCode.class);

  static {
    STATUS.put(ErrorCode.INVALID_ARGUMENT, 400);
    STATUS.put(ErrorCode.INVALID_CIPHERTEXT, 400);
    STATUS.put(ErrorCode.FAILED_PRECONDITION, 400);
    STATUS.put(ErrorCode.UNAUTHENTICATED, 401);
    STATUS.put(ErrorCode.PERMISSION_DENIED, 403);
    STATUS.put(ErrorCode.NOT_FOUND, 404);
    STATUS.put(ErrorCode.ALREADY_EXISTS, 409);
    STATUS.put(ErrorCode.CONFLICT, 409);
    STATUS.put(ErrorCode.PAYLOAD_TOO_LARGE, 413);
    STATUS.put(ErrorCode.RESOURCE_EXHAUSTED, 429);
    STATUS.put(ErrorCode.UNAVAILABLE, 503);
    STATUS.put(ErrorCode.INTERNAL, 500);
  }

  private Errors() {}

  public static int status(ErrorCode code) {
    return STATUS.get(code);
  }

  /** Turns any failure into a KmsException safe to show. */
  public static KmsException toKms(Throwable t, String requestId) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof KmsException k) {
      if (k.code() == ErrorCode.UNAVAILABLE || k.code() == ErrorCode.INTERNAL) {
        LOG.warn(
            "request {}: {} {} (cause: {})",
            requestId,
            k.code(),
            k.getMessage(),
            k.getCause() == null ? "none" : k.getCause().getClass().getSimpleName());
      }
      return k;
    }
    LOG.error("request {}: unexpected failure", requestId, cause);
    return new KmsException(
        ErrorCode.INTERNAL, "internal error; quote request id " + requestId + " to the operator");
  }

  /** The error of a request refused before any handler ran, by the status it gets. */
  public static KmsException fromStatus(int status) {
    return switch (status) {
      case 413 ->
          new KmsException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is larger than allowed");
      case 404 -> KmsException.notFound("no such resource");
      case 405 -> KmsException.invalidArgument("method not allowed on this resource");
      case 400 -> KmsException.invalidArgument("malformed request");
      default -> new KmsException(ErrorCode.INTERNAL, "internal error");
    };
  }
}
