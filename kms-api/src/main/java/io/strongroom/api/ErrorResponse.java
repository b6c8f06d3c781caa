package io.strongroom.api;

/** Body of every error response: {@code {"error": {"code", "message", "requestId"}}}. */
public record ErrorResponse(Detail error) {
  /** The error; {@code code} is one of the stable codes (INVALID_ARGUMENT, NOT_FOUND, ...). */
  public record Detail(String code, String message, String requestId) {}
}
