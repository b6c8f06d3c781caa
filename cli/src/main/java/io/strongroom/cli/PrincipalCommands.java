package io.strongroom.cli;

import io.strongroom.api.TenantMessages.PrincipalResponse;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strongroom principal create}. */
@Command(
    name = "principal",
    mixinStandardHelpOptions = true,
    description = "Principals: the users and services of a tenant, with their roles.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {PrincipalCommands.Create.class})
final class PrincipalCommands extends BaseCommand.Group {

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create a principal with roles; prints its first token, this once only.",
        "Roles: platform-admin, tenant-admin, key-admin, key-user, auditor."
      })
  static final class Create extends BaseCommand {
    @Parameters(paramLabel = "NAME", description = "The principal's name.")
    String name;

    @Mixin TenantOption tenant;

    @Option(
        names = {"-r", "--role"},
        paramLabel = "ROLE",
        required = true,
        split = ",",
        description = "A role; repeat the option or separate roles with commas.")
    List<String> roles;

    @Option(
        names = "--token-ttl",
        paramLabel = "DURATION",
        description = "Lifetime of the first token, ISO-8601 (default PT12H, at most P365D).")
    Duration tokenTtl;

    @Override
    void run() {
      PrincipalResponse p = client().createPrincipal(tenant(tenant), name, roles, tokenTtl);
      Views.principal(out(), p);
    }
  }
}
