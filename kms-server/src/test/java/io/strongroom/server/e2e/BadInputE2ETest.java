package io.strongroom.server.e2e;

import io.strongroom.server.config.ServerConfig;
import io.strongroom.server.testing.TestServer;
import java.util.function.UnaryOperator;

/** {@link BadInputContract} on the embedded default database, H2. */
class BadInputE2ETest extends BadInputContract {
  @Override
  TestServer startServer(UnaryOperator<ServerConfig> config) throws Exception {
    return TestServer.start(config);
  }
}
