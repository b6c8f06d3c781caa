package io.strongroom.cli;

import io.strongroom.api.TenantMessages.TenantList;
import io.strongroom.api.TenantMessages.TenantResponse;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strongroom tenant create|list}. */
@Command(
    name = "tenant",
    mixinStandardHelpOptions = true,
    description = "Tenants (platform admins only).",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {TenantCommands.Create.class, TenantCommands.ListTenants.class})
final class TenantCommands extends BaseCommand.Group {

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a tenant.")
  static final class Create extends BaseCommand {
    @Parameters(paramLabel = "NAME", description = "The tenant's name.")
    String name;

    @Option(names = "--description", paramLabel = "TEXT", description = "What the tenant is.")
    String description;

    @Override
    void run() {
      TenantResponse t = client().createTenant(name, description);
      Views.tenant(out(), t);
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List every tenant (all pages).")
  static final class ListTenants extends BaseCommand {
    @Option(
        names = "--page-size",
        paramLabel = "N",
        description = "Tenants per request (the server's default when absent).")
    Integer pageSize;

    @Override
    void run() {
      List<TenantResponse> all = new ArrayList<>();
      String pageToken = null;
      do {
        TenantList page = client().listTenants(pageSize, pageToken);
        all.addAll(page.tenants());
        pageToken = page.nextPageToken();
      } while (pageToken != null);
      Views.tenants(out(), new TenantList(all, null));
    }
  }
}
