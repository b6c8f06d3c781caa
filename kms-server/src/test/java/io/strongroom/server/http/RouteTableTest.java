package io.strongroom.server.http;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private final List<Route> routes = RoutesForTesting.table();
  private final RouteTable table = new RouteTable(routes);

  private String op(io.vertx.core.http.HttpMethod m, String path) {
    RouteTable.Match match = table.match(m, path);
    return match == null || match.route() == null ? null : match.route().operation();
  }

  @Test
  void everyRouteOfTheTableIsFoundWithItsParameters() {
    for (Route r : routes) {
      String path = r.path().replaceAll("\\{([A-Za-z]+)}", "x$1");
      RouteTable.Match m = table.match(r.method(), path);
      assertThat(m).as(r.method() + " " + path).isNotNull();
      assertThat(m.route()).isSameAs(r);
      m.params().forEach((k, v) -> assertThat(v).isEqualTo("x" + k));
    }
  }

  @Test
  void literalsWinOverParametersOnlyWhereTheyAreDistinctPaths() {
    assertThat(op(POST, "/v1/tenants/acme/keys/k/generate-data-key"))
        .isEqualTo("generate-data-key");
    assertThat(op(POST, "/v1/tenants/acme/decrypt")).isEqualTo("decrypt");
    assertThat(op(GET, "/v1/tenants/acme/keys/k")).isEqualTo("get-key");
    assertThat(op(GET, "/v1/tenants/acme/keys/k/versions/3")).isEqualTo("get-version");
    assertThat(table.match(GET, "/v1/tenants/acme/keys/k/versions/3").params())
        .isEqualTo(Map.of("tenant", "acme", "key", "k", "version", "3"));
    assertThat(op(POST, "/v1/audit/verify")).isEqualTo("verify-audit");
  }

  @Test
  void unknownPathsAreNullAndKnownPathsWithAnotherMethodNameTheirMethods() {
    assertThat(table.match(GET, "/v1/nothing")).isNull();
    assertThat(table.match(GET, "/v1/tenants/acme/keys/k/versions/3/extra/more")).isNull();
    assertThat(table.match(POST, "/v1/tenants/acme/keys/k/unknown-action")).isNull();
    assertThat(table.match(GET, "/v1/tenants//keys")).isNull(); // an empty parameter
    RouteTable.Match m = table.match(PUT, "/v1/tenants/acme/keys/k");
    assertThat(m.route()).isNull();
    assertThat(List.of(m.allow().split(", "))).containsExactlyInAnyOrder("GET", "PATCH");
    assertThat(table.match(DELETE, "/v1/tenants").allow()).isEqualTo("POST, GET");
    assertThat(op(PATCH, "/v1/tenants/acme/keys/k")).isEqualTo("update-key");
  }

  @Test
  void aTrailingSlashIsTheSamePath() {
    assertThat(op(GET, "/v1/tenants/")).isEqualTo("list-tenants");
    assertThat(op(GET, "/v1/tenants/acme/keys/k/")).isEqualTo("get-key");
  }

  @Test
  void escapesAreWellFormedOnlyWithTwoHexDigits() {
    assertThat(RouteTable.wellFormedEscapes("/v1/tenants/a%2Fb%20c")).isTrue();
    assertThat(RouteTable.wellFormedEscapes("/v1/plain")).isTrue();
    assertThat(RouteTable.wellFormedEscapes("/v1/bad%zz")).isFalse();
    assertThat(RouteTable.wellFormedEscapes("/v1/bad%4")).isFalse();
    assertThat(RouteTable.wellFormedEscapes("/v1/bad%")).isFalse();
    assertThat(RouteTable.wellFormedEscapes("%g0/")).isFalse();
  }

  @Test
  void parametersArePercentDecodedButPlusStaysPlus() {
    assertThat(table.match(GET, "/v1/tenants/ac%6De/keys/a+b%20c").params())
        .isEqualTo(Map.of("tenant", "acme", "key", "a+b c"));
    assertThatThrownBy(() -> table.match(GET, "/v1/tenants/acme/keys/bad%zz"))
        .isInstanceOfSatisfying(
            KmsException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }
}
