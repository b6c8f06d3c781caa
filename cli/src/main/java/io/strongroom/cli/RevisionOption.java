package io.strongroom.cli;

import picocli.CommandLine.Option;

/** {@code --if-revision N}: a key change applies only to this revision of the key (If-Match). */
final class RevisionOption {
  @Option(
      names = "--if-revision",
      paramLabel = "REVISION",
      description =
          "Act only if the key is still at this revision (else CONFLICT, exit 5); also lets the"
              + " call be retried safely.")
  Long revision;
}
