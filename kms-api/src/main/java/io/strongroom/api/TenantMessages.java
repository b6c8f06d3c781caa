package io.strongroom.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Tenants, principals and tokens. Times are ISO-8601 instants. */
public final class TenantMessages {
  private TenantMessages() {}

  public record CreateTenantRequest(String name, String description) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TenantResponse(String name, String description, String createdAt) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TenantList(List<TenantResponse> tenants, String nextPageToken) {}

  /**
   * @param roles wire names: platform-admin, tenant-admin, key-admin, key-user, auditor
   * @param tokenTtl ISO-8601 duration of the first token, default PT12H, at most P365D
   */
  public record CreatePrincipalRequest(String name, List<String> roles, String tokenTtl) {}

  /** A principal and, on creation only, its first token. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PrincipalResponse(
      String tenant, String name, List<String> roles, String createdAt, TokenResponse token) {}

  /**
   * @param ttl ISO-8601 duration, default PT12H, at most P365D
   */
  public record IssueTokenRequest(String ttl, String description) {}

  /** A token; {@code token} (the secret) is present only in the response that issues it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TokenResponse(
      String id, String token, String principal, String description, String expiresAt) {}
}
