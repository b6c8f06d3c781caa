package io.strongroom.server.http;

import java.util.List;

/** The server's route table, read without starting a server (handlers are never invoked). */
public final class RoutesForTesting {
  private RoutesForTesting() {}

  /** Every authenticated API route, as {@link Routes#table} lists them. */
  public static List<Route> table() {
    return Routes.table(
        new IdentityHandlers(null),
        new KeyHandlers(null),
        new CryptoHandlers(null),
        new AuditHandlers(null));
  }
}
