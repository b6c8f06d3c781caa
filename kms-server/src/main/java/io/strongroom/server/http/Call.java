package io.strongroom.server.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.strongroom.core.Caller;
import io.strongroom.core.Key;
import io.strongroom.core.KmsException;
import io.strongroom.core.Tenant;
import io.strongroom.core.audit.AuditEvent;
import io.strongroom.core.audit.AuditItem;
import io.strongroom.core.crypto.EncryptionContext;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One API request as the handlers see it: copied off the event loop's request so handlers can run
 * on a worker thread, plus the audit details the handler learns (key, version, context).
 */
public final class Call {
  final String requestId;
  final String operation;
  final String source;
  final String bearer;
  private final Map<String, String> path;
  private final String rawQuery;
  private Map<String, List<String>> query;
  private final Buffer body;
  private final String ifMatch;
  private final Instant received;

  Caller caller;
  private String key;
  private Integer keyVersion;
  private Map<String, String> context;
  private final List<AuditItem> items = new ArrayList<>();

  /**
   * The body as parsed by the attempt on the event loop, reused by the run on a worker (request
   * messages are immutable records).
   */
  private Object parsed;

  Call(
      String requestId,
      String operation,
      String source,
      String bearer,
      Map<String, String> path,
      String rawQuery,
      Buffer body,
      String ifMatch,
      Instant received) {
    this.requestId = requestId;
    this.operation = operation;
    this.source = source;
    this.bearer = bearer;
    this.path = Map.copyOf(path);
    this.rawQuery = rawQuery;
    this.body = body;
    this.ifMatch = ifMatch;
    this.received = received;
  }

  public Caller caller() {
    return caller;
  }

  /**
   * A path parameter; the route table guarantees it is present.
   *
   * @throws KmsException INVALID_ARGUMENT when it holds a NUL character (which no name can hold,
   *     and which PostgreSQL refuses in text, so it must not reach a store)
   */
  public String path(String name) {
    return noNul(name, path.get(name));
  }

  /**
   * The tenant the path names, or null for routes outside a tenant.
   *
   * @throws KmsException INVALID_ARGUMENT as {@link #path}
   */
  public String tenant() {
    return noNul("tenant", path.get("tenant"));
  }

  /**
   * A query parameter (its first value), decoded.
   *
   * @throws KmsException INVALID_ARGUMENT when the query holds a malformed percent-encoding, or the
   *     value a NUL character
   */
  public String query(String name) {
    return noNul(name, queryValue(name));
  }

  private String queryValue(String name) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return null;
    }
    if (query == null) {
      try {
        query = new QueryStringDecoder(rawQuery, StandardCharsets.UTF_8, false).parameters();
      } catch (IllegalArgumentException e) {
        throw KmsException.invalidArgument("the query holds a malformed percent-encoding");
      }
    }
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static String noNul(String name, String value) {
    if (value != null && value.indexOf('\0') >= 0) {
      throw KmsException.invalidArgument(name + " must not contain NUL characters");
    }
    return value;
  }

  /**
   * @throws KmsException INVALID_ARGUMENT when the parameter is not an integer
   */
  public Integer queryInt(String name) {
    String v = queryValue(name);
    if (v == null) {
      return null;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw KmsException.invalidArgument(name + " must be an integer");
    }
  }

  /** The body parsed as {@code type}; an empty body is read as {@code {}} when allowed. */
  public <T> T body(Class<T> type) {
    if (type.isInstance(parsed)) {
      return type.cast(parsed);
    }
    T value = Json.read(body, type);
    parsed = value;
    return value;
  }

  /** The body, or null when the request has none. */
  public <T> T optionalBody(Class<T> type) {
    return body == null || body.length() == 0 ? null : body(type);
  }

  /**
   * The revision from {@code If-Match}: {@code 7}, {@code "7"} or {@code W/"7"}.
   *
   * @throws KmsException INVALID_ARGUMENT when it is not a revision
   */
  public OptionalLong ifMatch() {
    if (ifMatch == null) {
      return OptionalLong.empty();
    }
    String v = ifMatch.strip();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    try {
      long r = Long.parseLong(v);
      if (r < 1) {
        throw new NumberFormatException();
      }
      return OptionalLong.of(r);
    } catch (NumberFormatException e) {
      throw KmsException.invalidArgument("If-Match must be a key revision, e.g. \"3\"");
    }
  }

  /**
   * Records what the request touched, for its audit record. Only well-formed names and contexts are
   * recorded, so that hostile input cannot break an audit insert (and with it a group commit).
   */
  public void audit(String keyName, Integer version, Map<String, String> ctx) {
    if (keyName != null) {
      this.key = auditKeyName(keyName);
    }
    if (version != null) {
      this.keyVersion = version;
    }
    if (ctx != null) {
      this.context = auditContext(ctx);
    }
  }

  private static String auditKeyName(String name) {
    try {
      return Key.checkName(name);
    } catch (KmsException e) {
      return null;
    }
  }

  private static String auditTenant(String name) {
    try {
      return name == null ? null : Tenant.checkName(name);
    } catch (KmsException e) {
      return null;
    }
  }

  private static Map<String, String> auditContext(Map<String, String> ctx) {
    try {
      return ctx == null ? null : EncryptionContext.of(ctx).entries();
    } catch (KmsException e) {
      return null;
    }
  }

  /**
   * Forgets what an attempt that stopped with {@code Blocking.WouldBlock} learned for the audit
   * record, so that the run on a worker records only what it learns itself. The caller and the
   * parsed body are kept: the worker would only compute the same again (about 10 µs per request
   * that moves, e.g. every request for an HSM key).
   */
  void restart() {
    key = null;
    keyVersion = null;
    context = null;
    items.clear();
  }

  /** Notes what one batch item did, for the batch's audit record. */
  public void auditItem(
      String op, String keyName, Integer version, Map<String, String> ctx, KmsException error) {
    items.add(
        new AuditItem(
            op,
            keyName == null ? null : auditKeyName(keyName),
            version,
            // a context the item used is valid already; one that failed may not be
            error == null ? ctx : auditContext(ctx),
            error == null ? "OK" : "ERROR",
            error == null ? null : error.code().name()));
  }

  /**
   * The audit record of this request: one per call. A batch that ran names its items in it; a
   * request that failed as a whole has none.
   */
  List<AuditEvent> auditEvents(String errorCode) {
    return List.of(
        new AuditEvent(
            received,
            requestId,
            auditTenant(path.get("tenant")),
            caller == null ? null : caller.id(),
            operation,
            key,
            keyVersion,
            context,
            errorCode == null ? "OK" : "ERROR",
            errorCode,
            source,
            items.isEmpty() || errorCode != null ? null : List.copyOf(items)));
  }
}
