package io.strongroom.core.audit;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one API call (or one batch item) did. Never holds plaintext or key material.
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
    String source) {

  public AuditEvent {
    time = Instant.ofEpochMilli(time.toEpochMilli());
    context =
        context == null ? null : java.util.Collections.unmodifiableMap(new TreeMap<>(context));
  }
}
