package io.strongroom.cli;

import picocli.CommandLine.Option;

/** {@code --tenant T}, shared by every tenant-scoped command (falls back on STRONGROOM_TENANT). */
final class TenantOption {
  @Option(
      names = {"-t", "--tenant"},
      paramLabel = "TENANT",
      description = "The tenant (default: STRONGROOM_TENANT, or tenant= in the config file).")
  String tenant;
}
