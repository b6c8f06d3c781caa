package io.strongroom.cli;

import io.strongroom.client.StrongroomClient;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;

/** Builds the SDK client from resolved {@link Settings}. */
final class Clients {
  private Clients() {}

  static StrongroomClient create(Settings s) {
    StrongroomClient.Builder b = StrongroomClient.builder().endpoint(s.addr()).token(s.token());
    if (s.cacert() != null) {
      if (!Files.isRegularFile(s.cacert())) {
        throw CliException.io(
            "CA certificate " + s.cacert(), new NoSuchFileException(s.cacert().toString()));
      }
      b.caCertificate(s.cacert());
    }
    if (s.tenant() != null) {
      b.tenant(s.tenant());
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      // An endpoint the SDK refuses, or a CA certificate file it cannot read.
      boolean tls = e.getMessage() != null && e.getMessage().startsWith("cannot set up TLS");
      throw new CliException(
          tls ? "IO_ERROR" : "USAGE",
          tls ? ExitCodes.CLIENT : ExitCodes.USAGE,
          (tls ? "CA certificate " + s.cacert() + ": " : "") + e.getMessage(),
          e);
    }
  }
}
