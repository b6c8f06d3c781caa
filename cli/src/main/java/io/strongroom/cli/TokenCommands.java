package io.strongroom.cli;

import io.strongroom.api.TenantMessages.TokenResponse;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strongroom token issue|revoke}. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "API tokens of principals (expiring; only their hashes are stored).",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {TokenCommands.Issue.class, TokenCommands.Revoke.class})
final class TokenCommands extends BaseCommand.Group {

  @Command(
      name = "issue",
      mixinStandardHelpOptions = true,
      description = "Issue a new token for a principal. Prints it this once only.")
  static final class Issue extends BaseCommand {
    @Parameters(paramLabel = "PRINCIPAL", description = "The principal's name.")
    String principal;

    @Mixin TenantOption tenant;

    @Option(
        names = "--ttl",
        paramLabel = "DURATION",
        description = "Lifetime, ISO-8601 (default PT12H, at most P365D).")
    Duration ttl;

    @Option(names = "--description", paramLabel = "TEXT", description = "What the token is for.")
    String description;

    @Override
    void run() {
      TokenResponse t = client().issueToken(tenant(tenant), principal, ttl, description);
      Views.token(out(), t);
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke a token of a principal (by its id, not the secret).")
  static final class Revoke extends BaseCommand {
    @Parameters(index = "0", paramLabel = "PRINCIPAL", description = "The principal's name.")
    String principal;

    @Parameters(index = "1", paramLabel = "ID", description = "The token's id.")
    String id;

    @Mixin TenantOption tenant;

    @Override
    void run() {
      client().revokeToken(tenant(tenant), principal, id);
      out().done("Revoked token " + id + " of " + principal + ".");
    }
  }
}
