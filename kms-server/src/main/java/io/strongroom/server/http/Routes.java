package io.strongroom.server.http;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;

import io.strongroom.api.ApiPaths;
import java.util.List;

/** Every authenticated, audited API route, in one table. */
public final class Routes {
  private Routes() {}

  static List<Route> table(
      IdentityHandlers id, KeyHandlers keys, CryptoHandlers crypto, AuditHandlers audit) {
    String k = ApiPaths.KEY;
    String v = ApiPaths.VERSION;
    return List.of(
        new Route(POST, ApiPaths.TENANTS, "create-tenant", id::createTenant),
        new Route(GET, ApiPaths.TENANTS, "list-tenants", id::listTenants),
        new Route(POST, ApiPaths.PRINCIPALS, "create-principal", id::createPrincipal),
        new Route(POST, ApiPaths.TOKENS, "issue-token", id::issueToken),
        new Route(DELETE, ApiPaths.TOKEN, "revoke-token", id::revokeToken),
        new Route(POST, ApiPaths.KEYS, "create-key", keys::create),
        new Route(GET, ApiPaths.KEYS, "list-keys", keys::list),
        new Route(GET, k, "get-key", keys::get),
        new Route(PATCH, k, "update-key", keys::update),
        new Route(POST, k + "/enable", "enable-key", keys::enable),
        new Route(POST, k + "/disable", "disable-key", keys::disable),
        new Route(POST, k + "/rotate", "rotate-key", keys::rotate),
        new Route(POST, k + "/schedule-destroy", "schedule-destroy-key", keys::scheduleDestroy),
        new Route(POST, k + "/cancel-destroy", "cancel-destroy-key", keys::cancelDestroy),
        new Route(GET, ApiPaths.VERSIONS, "list-versions", keys::listVersions),
        new Route(GET, v, "get-version", keys::getVersion),
        new Route(POST, v + "/enable", "enable-version", keys::enableVersion),
        new Route(POST, v + "/disable", "disable-version", keys::disableVersion),
        new Route(POST, v + "/make-primary", "make-primary", keys::makePrimary),
        new Route(
            POST,
            v + "/schedule-destroy",
            "schedule-destroy-version",
            keys::scheduleDestroyVersion),
        new Route(
            POST, v + "/cancel-destroy", "cancel-destroy-version", keys::cancelDestroyVersion),
        new Route(POST, k + "/encrypt", "encrypt", crypto::encrypt).onEventLoopFirst(),
        new Route(POST, k + "/generate-data-key", "generate-data-key", crypto::generateDataKey)
            .onEventLoopFirst(),
        new Route(POST, ApiPaths.DECRYPT, "decrypt", crypto::decrypt).onEventLoopFirst(),
        new Route(POST, ApiPaths.RE_ENCRYPT, "re-encrypt", crypto::reEncrypt).onEventLoopFirst(),
        new Route(POST, ApiPaths.BATCH, "batch", crypto::batch).onBatchPool(),
        new Route(GET, ApiPaths.AUDIT, "list-audit", audit::list),
        new Route(POST, ApiPaths.AUDIT_VERIFY, "verify-audit", audit::verify));
  }

  /** Unauthenticated operational routes, also in the OpenAPI description. */
  public static final List<String> OPERATIONAL =
      List.of(ApiPaths.HEALTH, ApiPaths.READY, ApiPaths.METRICS, ApiPaths.OPENAPI);
}
