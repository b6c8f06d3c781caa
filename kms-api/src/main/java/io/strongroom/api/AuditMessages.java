package io.strongroom.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** The audit log. */
public final class AuditMessages {
  private AuditMessages() {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AuditRecordResponse(
      long seq,
      String time,
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
      List<AuditItemResponse> items) {}

  /** What one item of a batch did; {@code items} of the batch's record, in request order. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AuditItemResponse(
      String operation,
      String key,
      Integer keyVersion,
      Map<String, String> context,
      String outcome,
      String errorCode) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AuditList(List<AuditRecordResponse> records, String nextPageToken) {}

  /**
   * @param firstBadSeq the first record that fails verification, when {@code ok} is false
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record VerifyResponse(boolean ok, long records, Long firstBadSeq, String reason) {}
}
