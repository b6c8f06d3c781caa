package io.strongroom.server.e2e;

import io.strongroom.server.testing.TestServer;
import java.util.function.UnaryOperator;

/** {@link TourContract} on PostgreSQL, the production database. */
class TourPostgresE2ETest extends TourContract {
  @Override
  TestServer startServer() throws Exception {
    return TestServer.startOnPostgres(UnaryOperator.identity());
  }
}
