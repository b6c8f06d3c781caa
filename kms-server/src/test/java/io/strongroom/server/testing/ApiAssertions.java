package io.strongroom.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strongroom.server.testing.TestServer.Response;
import java.util.ArrayList;
import java.util.List;

/** Assertions on the API's answers that every end-to-end test shares. */
public final class ApiAssertions {
  private ApiAssertions() {}

  /**
   * Asserts an error answer: the status, the stable code, the exact error body shape {@code
   * {"error":{"code","message","requestId"}}} with the request id of the {@code X-Request-Id}
   * header, and a message that shows no Java internals.
   */
  public static void assertError(Response r, int status, String code) {
    assertThat(r.status()).as("status of %s", r).isEqualTo(status);
    assertErrorShape(r);
    assertThat(r.errorCode()).as("code of %s", r).isEqualTo(code);
  }

  /** Asserts the error body shape and that the message leaks nothing, whatever the code. */
  public static void assertErrorShape(Response r) {
    assertThat(r.header("Content-Type")).as("content type of %s", r).startsWith("application/json");
    JsonNode body = r.json();
    assertThat(fieldNames(body)).as("top-level fields of %s", r).containsExactly("error");
    JsonNode error = body.get("error");
    assertThat(fieldNames(error))
        .as("error fields of %s", r)
        .containsExactlyInAnyOrder("code", "message", "requestId");
    assertThat(error.get("code").asText()).as("code of %s", r).matches("[A-Z_]+");
    assertThat(error.get("requestId").asText()).as("requestId of %s", r).isEqualTo(r.requestId());
    assertNoInternals(error.get("message").asText(), r);
  }

  /** A message must not show a Java class, exception or stack trace. */
  public static void assertNoInternals(String message, Object where) {
    assertThat(message)
        .as("message of %s", where)
        .isNotBlank()
        .doesNotContain("Exception")
        .doesNotContain("at io.")
        .doesNotContain("java.")
        .doesNotContain("io.strongroom")
        .doesNotContain("io.vertx")
        .doesNotContain("com.fasterxml");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    if (node != null) {
      node.fieldNames().forEachRemaining(names::add);
    }
    return names;
  }
}
