package io.strongroom.server.http;

import io.vertx.core.http.HttpMethod;

/**
 * One API route.
 *
 * @param path OpenAPI template form, e.g. {@code /v1/tenants/{tenant}/keys/{key}}
 * @param operation stable name used in audit records and metrics
 */
public record Route(HttpMethod method, String path, String operation, Handler handler) {
  /** The path in Vert.x form: {@code {name}} becomes {@code :name}. */
  public String vertxPath() {
    return path.replaceAll("\\{([A-Za-z]+)}", ":$1");
  }
}
