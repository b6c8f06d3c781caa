package io.strongroom.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.strongroom.api.ApiPaths;
import io.strongroom.server.http.Route;
import io.strongroom.server.http.Routes;
import io.strongroom.server.http.RoutesForTesting;
import io.strongroom.server.testing.TestServer;
import io.strongroom.server.testing.TestServer.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** {@code openapi.yaml} describes exactly the routes the server serves, and is served as is. */
class OpenApiTest {
  private static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

  @Test
  void describesExactlyTheServedRoutes() throws IOException {
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(resource());
    assertThat(doc.path("openapi").asText()).startsWith("3.");

    Set<String> described = new TreeSet<>();
    for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
      for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
        if (HTTP_METHODS.contains(operation.getKey())) {
          described.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
        }
      }
    }

    Set<String> served = new TreeSet<>();
    for (Route r : RoutesForTesting.table()) {
      served.add(r.method().name() + " " + r.path());
    }
    for (String operational : Routes.OPERATIONAL) {
      served.add("GET " + operational);
    }
    assertThat(served)
        .contains(
            "GET " + ApiPaths.HEALTH,
            "GET " + ApiPaths.READY,
            "GET " + ApiPaths.METRICS,
            "GET " + ApiPaths.OPENAPI);
    assertThat(described).as("(method, path) pairs in openapi.yaml").isEqualTo(served);
  }

  @Test
  void isServedOverHttpsByteForByte() throws Exception {
    try (TestServer server = TestServer.start()) {
      Response r = server.get("/openapi.yaml", null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("application/yaml");
      assertThat(r.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(resource());
    }
  }

  private static byte[] resource() throws IOException {
    try (InputStream in = OpenApiTest.class.getResourceAsStream("/openapi.yaml")) {
      assertThat(in).as("openapi.yaml on the class path").isNotNull();
      return in.readAllBytes();
    }
  }
}
