package io.strongroom.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** Keys and versions. */
public final class KeyMessages {
  private KeyMessages() {}

  /**
   * @param protection SOFTWARE, HSM or EXTERNAL
   * @param rotationPeriod ISO-8601 duration between P1D and P3650D, or absent for on-demand only
   */
  public record CreateKeyRequest(
      String name,
      String protection,
      String rotationPeriod,
      String description,
      Map<String, String> labels) {}

  /**
   * A partial update; absent fields are unchanged. {@code rotationPeriod} "none" turns scheduled
   * rotation off. Send {@code If-Match: <revision>} to update only an unchanged key.
   */
  public record UpdateKeyRequest(
      String rotationPeriod,
      String description,
      Map<String, String> labels,
      Integer minEncryptVersion,
      Integer minDecryptVersion) {}

  /**
   * @param pendingDays 7–30, default 30
   */
  public record ScheduleDestroyRequest(Integer pendingDays) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record KeyResponse(
      String tenant,
      String name,
      String id,
      String protection,
      String state,
      String rotationPeriod,
      String nextRotationAt,
      String description,
      Map<String, String> labels,
      int primaryVersion,
      int latestVersion,
      int minEncryptVersion,
      int minDecryptVersion,
      String destroyAt,
      long revision,
      String createdAt,
      String updatedAt) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record KeyList(List<KeyResponse> keys, String nextPageToken) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record VersionResponse(
      String key,
      int version,
      String state,
      String protection,
      boolean primary,
      String createdAt,
      String destroyAt) {}

  public record VersionList(List<VersionResponse> versions) {}
}
