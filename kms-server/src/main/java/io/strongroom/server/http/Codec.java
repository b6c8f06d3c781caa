package io.strongroom.server.http;

import io.strongroom.core.KmsException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/** Conversions between wire strings and domain values, each failing as INVALID_ARGUMENT. */
final class Codec {
  private Codec() {}

  /**
   * Strict standard base64 (RFC 4648 §4 with padding).
   *
   * @throws KmsException INVALID_ARGUMENT naming the field
   */
  static byte[] base64(String field, String value) {
    if (value == null) {
      throw KmsException.invalidArgument(field + " is required");
    }
    if (value.length() % 4 != 0) {
      throw KmsException.invalidArgument(field + " is not valid base64");
    }
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw KmsException.invalidArgument(field + " is not valid base64");
    }
  }

  static String base64(byte[] value) {
    return value == null ? null : Base64.getEncoder().encodeToString(value);
  }

  /**
   * @return null when {@code value} is null
   * @throws KmsException INVALID_ARGUMENT when not an ISO-8601 duration such as P90D or PT12H
   */
  static Duration duration(String field, String value) {
    if (value == null) {
      return null;
    }
    try {
      return Duration.parse(value);
    } catch (DateTimeParseException e) {
      throw KmsException.invalidArgument(
          field + " must be an ISO-8601 duration such as P90D or PT12H");
    }
  }

  /** ISO-8601, in whole days when the duration is whole days (P90D rather than PT2160H). */
  static String duration(Duration d) {
    if (d == null) {
      return null;
    }
    return d.toSeconds() % 86_400 == 0 && d.getNano() == 0 ? "P" + d.toDays() + "D" : d.toString();
  }

  static String time(Instant t) {
    return t == null ? null : t.toString();
  }

  /**
   * @throws KmsException INVALID_ARGUMENT unless a positive integer
   */
  static int version(String value) {
    try {
      int v = Integer.parseInt(value);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw KmsException.invalidArgument("version must be a positive integer");
  }
}
