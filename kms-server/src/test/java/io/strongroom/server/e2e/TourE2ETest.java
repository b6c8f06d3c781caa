package io.strongroom.server.e2e;

import io.strongroom.server.testing.TestServer;

/** {@link TourContract} on the embedded default database, H2. */
class TourE2ETest extends TourContract {
  @Override
  TestServer startServer() throws Exception {
    return TestServer.start();
  }
}
