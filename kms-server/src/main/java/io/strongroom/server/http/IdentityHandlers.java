package io.strongroom.server.http;

import io.strongroom.api.TenantMessages.CreatePrincipalRequest;
import io.strongroom.api.TenantMessages.CreateTenantRequest;
import io.strongroom.api.TenantMessages.IssueTokenRequest;
import io.strongroom.api.TenantMessages.PrincipalResponse;
import io.strongroom.api.TenantMessages.TenantList;
import io.strongroom.api.TenantMessages.TenantResponse;
import io.strongroom.api.TenantMessages.TokenResponse;
import io.strongroom.core.KmsException;
import io.strongroom.core.Page;
import io.strongroom.core.Role;
import io.strongroom.core.Tenant;
import io.strongroom.core.service.IdentityService;
import io.strongroom.core.service.IdentityService.IssuedToken;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Tenants, principals and tokens. */
final class IdentityHandlers {
  private final IdentityService identity;

  IdentityHandlers(IdentityService identity) {
    this.identity = identity;
  }

  Reply createTenant(Call call) {
    CreateTenantRequest req = call.body(CreateTenantRequest.class);
    if (req.name() == null) {
      throw KmsException.invalidArgument("name is required");
    }
    return Reply.created(
        tenant(identity.createTenant(call.caller(), req.name(), req.description())));
  }

  Reply listTenants(Call call) {
    Page<Tenant> page =
        identity.listTenants(call.caller(), call.queryInt("pageSize"), call.query("pageToken"));
    return Reply.ok(
        new TenantList(
            page.items().stream().map(IdentityHandlers::tenant).toList(), page.nextPageToken()));
  }

  Reply createPrincipal(Call call) {
    CreatePrincipalRequest req = call.body(CreatePrincipalRequest.class);
    if (req.name() == null) {
      throw KmsException.invalidArgument("name is required");
    }
    Set<Role> roles = new LinkedHashSet<>();
    for (String r : req.roles() == null ? List.<String>of() : req.roles()) {
      roles.add(Role.fromWire(r));
    }
    IssuedToken t =
        identity.createPrincipal(
            call.caller(),
            call.tenant(),
            req.name(),
            roles,
            Codec.duration("tokenTtl", req.tokenTtl()));
    return Reply.created(
        new PrincipalResponse(
            call.tenant(),
            req.name(),
            roles.stream().map(Role::wireName).sorted().toList(),
            Codec.time(t.record().createdAt()),
            token(t)));
  }

  Reply issueToken(Call call) {
    IssueTokenRequest req = call.optionalBody(IssueTokenRequest.class);
    IssuedToken t =
        identity.issueToken(
            call.caller(),
            call.tenant(),
            call.path("principal"),
            Codec.duration("ttl", req == null ? null : req.ttl()),
            req == null ? null : req.description());
    return Reply.created(token(t));
  }

  Reply revokeToken(Call call) {
    identity.revokeToken(
        call.caller(), call.tenant(), call.path("principal"), call.path("tokenId"));
    return Reply.noContent();
  }

  private static TenantResponse tenant(Tenant t) {
    return new TenantResponse(t.name(), t.description(), Codec.time(t.createdAt()));
  }

  private static TokenResponse token(IssuedToken t) {
    return new TokenResponse(
        t.record().id(),
        t.secret(),
        t.record().principal(),
        t.record().description(),
        Codec.time(t.record().expiresAt()));
  }
}
