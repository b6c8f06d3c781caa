package io.strongroom.api;

/** Paths of the REST API, in OpenAPI template form ({@code {name}} parameters). */
public final class ApiPaths {
  private ApiPaths() {}

  /** The prefix of every authenticated API path. */
  public static final String API_PREFIX = "/v1/";

  public static final String TENANTS = "/v1/tenants";
  public static final String PRINCIPALS = "/v1/tenants/{tenant}/principals";
  public static final String TOKENS = "/v1/tenants/{tenant}/principals/{principal}/tokens";
  public static final String TOKEN = "/v1/tenants/{tenant}/principals/{principal}/tokens/{tokenId}";
  public static final String KEYS = "/v1/tenants/{tenant}/keys";
  public static final String KEY = "/v1/tenants/{tenant}/keys/{key}";
  public static final String VERSIONS = KEY + "/versions";
  public static final String VERSION = KEY + "/versions/{version}";
  public static final String DECRYPT = "/v1/tenants/{tenant}/decrypt";
  public static final String RE_ENCRYPT = "/v1/tenants/{tenant}/re-encrypt";
  public static final String BATCH = "/v1/tenants/{tenant}/batch";
  public static final String AUDIT = "/v1/tenants/{tenant}/audit";
  public static final String AUDIT_VERIFY = "/v1/audit/verify";
  public static final String HEALTH = "/healthz";
  public static final String READY = "/readyz";
  public static final String METRICS = "/metrics";
  public static final String OPENAPI = "/openapi.yaml";

  /** Response header naming the request, on every response. */
  public static final String REQUEST_ID_HEADER = "X-Request-Id";
}
