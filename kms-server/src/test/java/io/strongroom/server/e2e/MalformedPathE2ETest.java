package io.strongroom.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.server.testing.TestServer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A path with a malformed percent-escape (which no HTTP client library will send, so it goes over a
 * raw TLS socket) gets the same JSON 400 INVALID_ARGUMENT as any other malformed request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedPathE2ETest {
  private TestServer server;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start();
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private String rawGet(String path) throws Exception {
    try (SSLSocket s =
        (SSLSocket)
            server.sslContext().getSocketFactory().createSocket("127.0.0.1", server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void malformedEscapesAreInvalidArgumentInJson() throws Exception {
    for (String path :
        new String[] {"/v1/tenants/acme/keys/bad%zz", "/v1/tenants/acme/keys/bad%", "/x%4"}) {
      String response = rawGet(path);
      assertThat(response).as(path).startsWith("HTTP/1.1 400");
      assertThat(response)
          .as(path)
          .contains("\"code\":\"INVALID_ARGUMENT\"")
          .contains("\"requestId\"")
          .doesNotContain("Exception");
    }
  }

  @Test
  void wellFormedEscapesStillRoute() throws Exception {
    String response = rawGet("/v1/tenants/ac%6De/keys");
    assertThat(response).startsWith("HTTP/1.1 401"); // routed, then refused for want of a token
  }
}
