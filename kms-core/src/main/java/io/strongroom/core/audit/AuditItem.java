package io.strongroom.core.audit;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one item of a batch request did, recorded inside the batch's {@link AuditEvent}. Never holds
 * plaintext or key material.
 *
 * @param operation the item's operation: {@code encrypt}, {@code decrypt}, {@code
 *     generate-data-key}, {@code re-encrypt}, or {@code unknown} for an item without a valid one
 * @param key key name, or null
 * @param keyVersion version used, or null
 * @param context the encryption context, or null
 * @param outcome {@code OK} or {@code ERROR}
 * @param errorCode the error code when the outcome is ERROR
 */
public record AuditItem(
    String operation,
    String key,
    Integer keyVersion,
    Map<String, String> context,
    String outcome,
    String errorCode) {
  public AuditItem {
    context =
        context == null ? null : java.util.Collections.unmodifiableMap(new TreeMap<>(context));
  }
}
