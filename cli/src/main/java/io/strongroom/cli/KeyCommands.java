package io.strongroom.cli;

import io.strongroom.api.KeyMessages.CreateKeyRequest;
import io.strongroom.api.KeyMessages.KeyList;
import io.strongroom.api.KeyMessages.KeyResponse;
import io.strongroom.api.KeyMessages.UpdateKeyRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code strongroom key ...}: keys and their lifecycle. */
@Command(
    name = "key",
    mixinStandardHelpOptions = true,
    description = "Keys of a tenant: create, list, show, update, rotate, enable, disable, destroy.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      KeyCommands.Create.class,
      KeyCommands.ListKeys.class,
      KeyCommands.Show.class,
      KeyCommands.Update.class,
      KeyCommands.Rotate.class,
      KeyCommands.Enable.class,
      KeyCommands.Disable.class,
      KeyCommands.ScheduleDestroy.class,
      KeyCommands.CancelDestroy.class
    })
final class KeyCommands extends BaseCommand.Group {

  /** A command on one key: {@code NAME --tenant T}. */
  abstract static class OnKey extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The key's name.")
    String name;

    @Mixin TenantOption tenant;

    String tenant() {
      return tenant(tenant);
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a key (version 1 is its primary version).")
  static final class Create extends OnKey {
    @Option(
        names = "--protection",
        paramLabel = "LEVEL",
        defaultValue = "SOFTWARE",
        description =
            "Where its material lives: SOFTWARE, HSM or EXTERNAL (default ${DEFAULT-VALUE}).")
    String protection;

    @Option(
        names = "--rotation-period",
        paramLabel = "PERIOD",
        description = "Scheduled rotation, ISO-8601 (P1D to P3650D, e.g. P90D); none if absent.")
    String rotationPeriod;

    @Option(names = "--description", paramLabel = "TEXT", description = "What the key is for.")
    String description;

    @Option(
        names = "--label",
        paramLabel = "KEY=VALUE",
        description = "A label; repeat for several.")
    Map<String, String> labels = new LinkedHashMap<>();

    @Override
    void run() {
      KeyResponse k =
          client()
              .createKey(
                  tenant(),
                  new CreateKeyRequest(
                      name,
                      protection,
                      rotationPeriod,
                      description,
                      labels.isEmpty() ? null : labels));
      Views.key(out(), k);
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the tenant's keys (all pages).")
  static final class ListKeys extends BaseCommand {
    @Mixin TenantOption tenant;

    @Option(
        names = "--page-size",
        paramLabel = "N",
        description = "Keys per request (the server's default when absent).")
    Integer pageSize;

    @Override
    void run() {
      String t = tenant(tenant);
      List<KeyResponse> all = new ArrayList<>();
      String pageToken = null;
      do {
        KeyList page = client().listKeys(t, pageSize, pageToken);
        all.addAll(page.keys());
        pageToken = page.nextPageToken();
      } while (pageToken != null);
      Views.keys(out(), new KeyList(all, null));
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a key.")
  static final class Show extends OnKey {
    @Override
    void run() {
      Views.key(out(), client().getKey(tenant(), name));
    }
  }

  @Command(
      name = "update",
      mixinStandardHelpOptions = true,
      description = {
        "Change a key's rotation period, description, labels or minimum versions.",
        "Options left out are unchanged."
      })
  static final class Update extends OnKey {
    @Option(
        names = "--rotation-period",
        paramLabel = "PERIOD",
        description = "Scheduled rotation, ISO-8601 (e.g. P90D), or 'none' to turn it off.")
    String rotationPeriod;

    @Option(names = "--description", paramLabel = "TEXT", description = "What the key is for.")
    String description;

    @Option(
        names = "--label",
        paramLabel = "KEY=VALUE",
        description = "A label; repeat for several. Replaces all the key's labels.")
    Map<String, String> labels;

    @Option(
        names = "--min-encrypt-version",
        paramLabel = "N",
        description = "Lowest version that may encrypt.")
    Integer minEncryptVersion;

    @Option(
        names = "--min-decrypt-version",
        paramLabel = "N",
        description = "Lowest version that may decrypt (retires older versions).")
    Integer minDecryptVersion;

    @Mixin RevisionOption ifRevision;

    @Override
    void run() {
      if (rotationPeriod == null
          && description == null
          && labels == null
          && minEncryptVersion == null
          && minDecryptVersion == null) {
        throw new ParameterException(
            spec.commandLine(),
            "Nothing to change: give at least one of --rotation-period, --description, --label,"
                + " --min-encrypt-version, --min-decrypt-version");
      }
      KeyResponse k =
          client()
              .updateKey(
                  tenant(),
                  name,
                  new UpdateKeyRequest(
                      rotationPeriod, description, labels, minEncryptVersion, minDecryptVersion),
                  ifRevision.revision);
      Views.key(out(), k);
    }
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = "Rotate a key: a new version becomes primary (older ones still decrypt).")
  static final class Rotate extends OnKey {
    @Mixin RevisionOption ifRevision;

    @Override
    void run() {
      Views.key(out(), client().rotateKey(tenant(), name, ifRevision.revision));
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled key.")
  static final class Enable extends OnKey {
    @Mixin RevisionOption ifRevision;

    @Override
    void run() {
      Views.key(out(), client().enableKey(tenant(), name, ifRevision.revision));
    }
  }

  @Command(
      name = "disable",
      mixinStandardHelpOptions = true,
      description = "Disable a key: it neither encrypts nor decrypts until enabled again.")
  static final class Disable extends OnKey {
    @Mixin RevisionOption ifRevision;

    @Override
    void run() {
      Views.key(out(), client().disableKey(tenant(), name, ifRevision.revision));
    }
  }

  @Command(
      name = "schedule-destroy",
      mixinStandardHelpOptions = true,
      description = "Schedule the destruction of a key and all its versions (cancellable).")
  static final class ScheduleDestroy extends OnKey {
    @Mixin RevisionOption ifRevision;

    @Option(
        names = "--pending-days",
        paramLabel = "N",
        description = "Days before destruction, 7-30 (default 30).")
    Integer pendingDays;

    @Override
    void run() {
      Views.key(
          out(), client().scheduleKeyDestroy(tenant(), name, pendingDays, ifRevision.revision));
    }
  }

  @Command(
      name = "cancel-destroy",
      mixinStandardHelpOptions = true,
      description = "Cancel a key's scheduled destruction (it comes back disabled).")
  static final class CancelDestroy extends OnKey {
    @Mixin RevisionOption ifRevision;

    @Override
    void run() {
      Views.key(out(), client().cancelKeyDestroy(tenant(), name, ifRevision.revision));
    }
  }
}
