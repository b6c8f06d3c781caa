package io.strongroom.core.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one API call did. Never holds plaintext or key material. A batch request is one call: its
 * record names each item ({@code items}), in request order.
 *
 * @param time millisecond precision
 * @param tenant the tenant the call addressed, or null
 * @param principal {@code tenant/name} of the caller, or null when unauthenticated
 * @param operation stable operation name, e.g. {@code decrypt}
 * @param key key name, or null
 * @param keyVersion version used, or null
 * @param context the encryption context, or null
 * @param outcome {@code OK} or {@code ERROR}
 * @param errorCode the error code when the outcome is ERROR
 * @param source the client's address
 * @param items what each item of a batch did, in order; null for every other call (and for a batch
 *     request refused as a whole)
 */
public record AuditEvent(
    Instant time,
    String requestId,
    String tenant,
    String principal,
    String operation,
    String key,
    Integer keyVersion,
    Map<String, String> context,
    String outcome,
    String errorCode,
    String source,
    List<AuditItem> items) {

  public AuditEvent {
    time = Instant.ofEpochMilli(time.toEpochMilli());
    context =
        context == null ? null : java.util.Collections.unmodifiableMap(new TreeMap<>(context));
    items = items == null ? null : List.copyOf(items);
  }

  /** The record of a call that is not a batch (no items). */
  public AuditEvent(
      Instant time,
      String requestId,
      String tenant,
      String principal,
      String operation,
      String key,
      Integer keyVersion,
      Map<String, String> context,
      String outcome,
      String errorCode,
      String source) {
    this(
        time,
        requestId,
        tenant,
        principal,
        operation,
        key,
        keyVersion,
        context,
        outcome,
        errorCode,
        source,
        null);
  }
}
