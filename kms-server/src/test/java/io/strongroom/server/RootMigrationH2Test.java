package io.strongroom.server;

import io.strongroom.server.config.ServerConfig;

/** Moving the root key of an embedded deployment: H2 in the data directory. */
class RootMigrationH2Test extends RootMigrationContract {
  @Override
  ServerConfig onDatabase(ServerConfig c) {
    return c;
  }
}
