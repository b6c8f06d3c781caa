package io.strongroom.server.http;

import io.strongroom.core.KmsException;
import io.vertx.core.http.HttpMethod;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the {@link Route} of a request path by comparing path segments, without a regular
 * expression per route: a template segment {@code {name}} takes any non-empty segment (decoded),
 * every other segment must be equal. Templates are grouped by segment count, so a lookup compares a
 * handful of strings. Built once from {@link Routes#table}.
 */
final class RouteTable {
  /** A template path, split. */
  private record Template(String path, String[] segments, Map<HttpMethod, Route> byMethod) {}

  /** The outcome of a lookup: a route with its parameters, or the methods the path takes. */
  record Match(Route route, Map<String, String> params, String allow) {}

  private final Map<Integer, List<Template>> bySegments = new HashMap<>();

  RouteTable(List<Route> routes) {
    Map<String, Template> byPath = new HashMap<>();
    for (Route r : routes) {
      Template t =
          byPath.computeIfAbsent(
              r.path(),
              p -> {
                Template nt = new Template(p, split(p), new LinkedHashMap<>());
                bySegments.computeIfAbsent(nt.segments().length, n -> new ArrayList<>()).add(nt);
                return nt;
              });
      if (t.byMethod().put(r.method(), r) != null) {
        throw new IllegalArgumentException("two routes for " + r.method() + " " + r.path());
      }
    }
  }

  /**
   * The route for {@code method} and {@code path} (a normalised path, still percent-encoded).
   *
   * @return null when no template matches the path; a match without a route (and with {@code allow}
   *     set) when the path matches but not with this method
   * @throws KmsException INVALID_ARGUMENT when a parameter is not valid percent-encoded UTF-8
   */
  Match match(HttpMethod method, String path) {
    String[] segments = split(path);
    List<Template> candidates = bySegments.get(segments.length);
    if (candidates == null) {
      return null;
    }
    for (Template t : candidates) {
      if (!matches(t.segments(), segments)) {
        continue;
      }
      Route route = t.byMethod().get(method);
      if (route == null) {
        Set<String> names = new LinkedHashSet<>();
        t.byMethod().keySet().forEach(m -> names.add(m.name()));
        return new Match(null, Map.of(), String.join(", ", names));
      }
      return new Match(route, params(t.segments(), segments), null);
    }
    return null;
  }

  private static boolean matches(String[] template, String[] segments) {
    for (int i = 0; i < template.length; i++) {
      String t = template[i];
      if (isParam(t) ? segments[i].isEmpty() : !t.equals(segments[i])) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, String> params(String[] template, String[] segments) {
    Map<String, String> params = new HashMap<>(4);
    for (int i = 0; i < template.length; i++) {
      if (isParam(template[i])) {
        params.put(template[i].substring(1, template[i].length() - 1), decode(segments[i]));
      }
    }
    return params;
  }

  private static boolean isParam(String segment) {
    return segment.length() > 2 && segment.charAt(0) == '{';
  }

  /** Percent-decoding of a path segment; unlike a query, a {@code +} stays a plus. */
  private static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw KmsException.invalidArgument("the path holds a malformed percent-encoding");
    }
  }

  /**
   * True when every {@code %} in {@code path} starts a two-digit hex escape. The server checks this
   * before it normalises a path (which decodes escapes), so that a malformed one is a plain 400.
   */
  static boolean wellFormedEscapes(String path) {
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length()
          || Character.digit(path.charAt(i + 1), 16) < 0
          || Character.digit(path.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /** {@code /a/b/} and {@code /a/b} both give {@code [a, b]}. */
  private static String[] split(String path) {
    int start = path.startsWith("/") ? 1 : 0;
    int end = path.endsWith("/") && path.length() > start ? path.length() - 1 : path.length();
    return end <= start ? new String[0] : path.substring(start, end).split("/", -1);
  }
}
