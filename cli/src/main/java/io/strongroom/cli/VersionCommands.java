package io.strongroom.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strongroom version ...}: the versions of a key. */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    description = "Versions of a key: list, show, enable, disable, make-primary, destroy.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      VersionCommands.ListVersions.class,
      VersionCommands.Show.class,
      VersionCommands.Enable.class,
      VersionCommands.Disable.class,
      VersionCommands.MakePrimary.class,
      VersionCommands.ScheduleDestroy.class,
      VersionCommands.CancelDestroy.class
    })
final class VersionCommands extends BaseCommand.Group {

  /** A command on one version: {@code KEY VERSION --tenant T}. */
  abstract static class OnVersion extends BaseCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "The key's name.")
    String key;

    @Parameters(index = "1", paramLabel = "VERSION", description = "The version number.")
    int version;

    @Mixin TenantOption tenant;

    String tenant() {
      return tenant(tenant);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List a key's versions.")
  static final class ListVersions extends BaseCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "The key's name.")
    String key;

    @Mixin TenantOption tenant;

    @Override
    void run() {
      Views.versions(out(), client().listVersions(tenant(tenant), key));
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a version.")
  static final class Show extends OnVersion {
    @Override
    void run() {
      Views.version(out(), client().getVersion(tenant(), key, version));
    }
  }

  @Command(
      name = "enable",
      mixinStandardHelpOptions = true,
      description = "Enable a disabled version.")
  static final class Enable extends OnVersion {
    @Mixin RevisionOption ifRevision;

    @Override
    void run() {
      Views.version(out(), client().enableVersion(tenant(), key, version, ifRevision.revision));
    }
  }

  @Command(
      name = "disable",
      mixinStandardHelpOptions = true,
      description =
          "Disable a version: what it encrypted no longer decrypts until it is enabled again.")
  static final class Disable extends OnVersion {
    @Mixin RevisionOption ifRevision;

    @Override
    void run() {
      Views.version(out(), client().disableVersion(tenant(), key, version, ifRevision.revision));
    }
  }

  @Command(
      name = "make-primary",
      mixinStandardHelpOptions = true,
      description = "Make a version the primary: new encryptions and data keys use it.")
  static final class MakePrimary extends OnVersion {
    @Mixin RevisionOption ifRevision;

    @Override
    void run() {
      Views.version(out(), client().makePrimary(tenant(), key, version, ifRevision.revision));
    }
  }

  @Command(
      name = "schedule-destroy",
      mixinStandardHelpOptions = true,
      description = "Schedule the destruction of a version's material (cancellable).")
  static final class ScheduleDestroy extends OnVersion {
    @Mixin RevisionOption ifRevision;

    @Option(
        names = "--pending-days",
        paramLabel = "N",
        description = "Days before destruction, 7-30 (default 30).")
    Integer pendingDays;

    @Override
    void run() {
      Views.version(
          out(),
          client()
              .scheduleVersionDestroy(tenant(), key, version, pendingDays, ifRevision.revision));
    }
  }

  @Command(
      name = "cancel-destroy",
      mixinStandardHelpOptions = true,
      description = "Cancel a version's scheduled destruction.")
  static final class CancelDestroy extends OnVersion {
    @Mixin RevisionOption ifRevision;

    @Override
    void run() {
      Views.version(
          out(), client().cancelVersionDestroy(tenant(), key, version, ifRevision.revision));
    }
  }
}
