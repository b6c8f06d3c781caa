package io.strongroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.api.ErrorResponse;
import io.strongroom.client.StrongroomConnectionException;
import io.strongroom.client.StrongroomException;
import io.strongroom.client.envelope.InvalidMessageException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** Every error code of the API maps to its documented exit code. */
class ExitCodesTest {
  static int exit(String code, int status) {
    return ExitCodes.forException(
        StrongroomException.of(new ErrorResponse.Detail(code, "m", "r"), status));
  }

  @Test
  void codes() {
    assertThat(exit("UNAUTHENTICATED", 401)).isEqualTo(3);
    assertThat(exit("PERMISSION_DENIED", 403)).isEqualTo(3);
    assertThat(exit("NOT_FOUND", 404)).isEqualTo(4);
    for (String c :
        new String[] {
          "INVALID_ARGUMENT",
          "INVALID_CIPHERTEXT",
          "FAILED_PRECONDITION",
          "ALREADY_EXISTS",
          "CONFLICT",
          "PAYLOAD_TOO_LARGE"
        }) {
      assertThat(exit(c, 0)).as(c).isEqualTo(5);
    }
    assertThat(exit("UNAVAILABLE", 503)).isEqualTo(6);
    assertThat(exit("RESOURCE_EXHAUSTED", 429)).isEqualTo(6);
    assertThat(exit("INTERNAL", 500)).isEqualTo(6);
    assertThat(exit("SOMETHING_NEW", 502)).isEqualTo(6);
    assertThat(exit("SOMETHING_NEW", 418)).isEqualTo(5);
    assertThat(
            ExitCodes.forException(
                new StrongroomConnectionException("refused", 3, new ConnectException())))
        .isEqualTo(6);
    assertThat(ExitCodes.forException(new InvalidMessageException("bad"))).isEqualTo(5);
  }
}
