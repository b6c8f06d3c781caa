package io.strongroom.core.service;

import io.strongroom.core.KmsException;
import io.strongroom.core.Page;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Opaque page tokens: base64url of the last item's sort key. Page sizes are 1–1000, default 100.
 */
public final class PageTokens {
  public static final int DEFAULT_PAGE_SIZE = 100;
  public static final int MAX_PAGE_SIZE = 1000;

  private PageTokens() {}

  /**
   * @throws KmsException INVALID_ARGUMENT outside 1–1000
   */
  public static int pageSize(Integer requested) {
    if (requested == null) {
      return DEFAULT_PAGE_SIZE;
    }
    if (requested < 1 || requested > MAX_PAGE_SIZE) {
      throw KmsException.invalidArgument("pageSize must be between 1 and 1000");
    }
    return requested;
  }

  /**
   * @return the decoded position, or null for the first page
   * @throws KmsException INVALID_ARGUMENT for a token this server did not make
   */
  public static String decode(String token) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    try {
      String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      // Positions are names or sequence numbers: printable ASCII, as this server makes them.
      if (s.isEmpty() || s.length() > 256 || !s.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException();
      }
      return s;
    } catch (IllegalArgumentException e) {
      throw KmsException.invalidArgument("pageToken is not valid");
    }
  }

  /**
   * @throws KmsException INVALID_ARGUMENT for a token this server did not make
   */
  public static long decodeSeq(String token) {
    String s = decode(token);
    if (s == null) {
      return 0;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw KmsException.invalidArgument("pageToken is not valid");
    }
  }

  public static String encode(String position) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(position.getBytes(StandardCharsets.UTF_8));
  }

  /** Builds a page from a fetch of {@code pageSize + 1} items. */
  public static <T> Page<T> page(List<T> fetched, int pageSize, Function<T, String> position) {
    if (fetched.size() <= pageSize) {
      return new Page<>(fetched, null);
    }
    List<T> items = fetched.subList(0, pageSize);
    return new Page<>(items, encode(position.apply(items.get(pageSize - 1))));
  }
}
