package io.strongroom.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the server's edge does with HTTP/1.1 requests that client libraries rarely send, spoken over
 * a raw TLS socket: {@code Expect}, chunked bodies, bodies of refused requests on a kept-alive
 * connection, a malformed query, and a method an operational path does not take.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http1EdgeE2ETest {
  private static final int MAX_BODY = 4096;
  private TestServer server;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(c -> TestServer.withMaxBodyBytes(c, MAX_BODY));
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private SSLSocket connect() throws Exception {
    SSLSocket s =
        (SSLSocket) server.sslContext().getSocketFactory().createSocket("127.0.0.1", server.port());
    s.setSoTimeout(10_000);
    return s;
  }

  private static void write(OutputStream out, String text) throws Exception {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Reads one response head and its body (by Content-Length). */
  private static String readResponse(InputStream in) throws Exception {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    String h = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  private static String post(String path, String token, String headers, String body) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: localhost\r\n"
        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
        + "Content-Type: application/json\r\n"
        + headers
        + "\r\n"
        + body;
  }

  /** A POST to create a tenant, as the admin. */
  private String createTenant(String headers, String body) {
    return post("/v1/tenants", server.adminToken(), headers, body);
  }

  /** Sends {@code request} on a connection of its own and reads the one answer. */
  private String exchange(String request) throws Exception {
    try (SSLSocket s = connect()) {
      write(s.getOutputStream(), request);
      return readResponse(s.getInputStream());
    }
  }

  @Test
  void expectContinueGetsContinueThenTheAnswer() throws Exception {
    String body = "{\"name\":\"expecting\"}";
    try (SSLSocket s = connect()) {
      write(
          s.getOutputStream(),
          createTenant("Content-Length: " + body.length() + "\r\nExpect: 100-continue\r\n", ""));
      assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 100 Continue");
      write(s.getOutputStream(), body);
      assertThat(readResponse(s.getInputStream()))
          .startsWith("HTTP/1.1 201")
          .contains("\"name\":\"expecting\"");
    }
  }

  @Test
  void anOversizedBodyAnnouncedWithExpectIsRefusedBeforeItIsSent() throws Exception {
    assertThat(
            exchange(
                createTenant(
                    "Content-Length: " + (MAX_BODY + 1) + "\r\nExpect: 100-continue\r\n", "")))
        .startsWith("HTTP/1.1 413")
        .containsIgnoringCase("connection: close")
        .contains("\"code\":\"PAYLOAD_TOO_LARGE\"");
  }

  @Test
  void anExpectationOtherThanContinueIs417() throws Exception {
    assertThat(exchange(createTenant("Content-Length: 2\r\nExpect: magic\r\n", "{}")))
        .startsWith("HTTP/1.1 417")
        .contains("\"code\":\"INVALID_ARGUMENT\"");
  }

  @Test
  void aChunkedBodyIsReadAndAnOversizedOneRefused() throws Exception {
    String body = "{\"name\":\"chunked\"}";
    assertThat(
            exchange(
                createTenant(
                    "Transfer-Encoding: chunked\r\n",
                    Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n")))
        .startsWith("HTTP/1.1 201");
    String chunk = "a".repeat(1024);
    try (SSLSocket s = connect()) {
      OutputStream out = s.getOutputStream();
      write(out, createTenant("Transfer-Encoding: chunked\r\n", ""));
      for (int i = 0; i <= MAX_BODY / chunk.length(); i++) {
        write(out, Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
      }
      assertThat(readResponse(s.getInputStream()))
          .startsWith("HTTP/1.1 413")
          .containsIgnoringCase("connection: close");
    }
  }

  @Test
  void refusedRequestsWithBodiesLeaveTheConnectionUsable() throws Exception {
    try (SSLSocket s = connect()) {
      write(s.getOutputStream(), post("/v1/nope", null, "Content-Length: 2\r\n", "{}"));
      assertThat(readResponse(s.getInputStream()))
          .startsWith("HTTP/1.1 404")
          .contains("\"code\":\"NOT_FOUND\"");
      write(s.getOutputStream(), post("/healthz", null, "Content-Length: 2\r\n", "{}"));
      assertThat(readResponse(s.getInputStream()))
          .startsWith("HTTP/1.1 405")
          .containsIgnoringCase("allow: GET");
      write(s.getOutputStream(), "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200").contains("UP");
    }
  }

  /** The request id an answer names in its {@code X-Request-Id} header. */
  private static String requestId(String response) {
    for (String line : response.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("x-request-id:")) {
        return line.substring(13).strip();
      }
    }
    throw new AssertionError("no X-Request-Id in " + response);
  }

  @Test
  void everyRefusalBeforeAHandlerIsAudited() throws Exception {
    Map<String, String> expected = new LinkedHashMap<>();
    try (SSLSocket s = connect()) {
      InputStream in = s.getInputStream();
      write(s.getOutputStream(), post("/v1/nope", null, "Content-Length: 2\r\n", "{}"));
      expected.put(requestId(readResponse(in)), "NOT_FOUND");
      write(s.getOutputStream(), post("/healthz", null, "Content-Length: 2\r\n", "{}"));
      expected.put(requestId(readResponse(in)), "INVALID_ARGUMENT");
      write(s.getOutputStream(), "GET /v1/tenants/a%zz HTTP/1.1\r\nHost: localhost\r\n\r\n");
      expected.put(requestId(readResponse(in)), "INVALID_ARGUMENT");
      write(
          s.getOutputStream(),
          post("/v1/tenants", null, "Content-Length: " + (MAX_BODY + 1) + "\r\n", ""));
      expected.put(requestId(readResponse(in)), "PAYLOAD_TOO_LARGE");
    }
    expected.forEach(
        (id, code) ->
            assertThat(server.audited(id))
                .as(id)
                .containsExactly("rejected-request ERROR " + code));
  }

  @Test
  void aMalformedQueryIsInvalidArgument() throws Exception {
    assertThat(
            exchange(
                "GET /v1/tenants?pageToken=%zz HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + server.adminToken()
                    + "\r\n\r\n"))
        .startsWith("HTTP/1.1 400")
        .contains("\"code\":\"INVALID_ARGUMENT\"")
        .contains("malformed percent-encoding");
  }
}
