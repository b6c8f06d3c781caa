package io.strongroom.cli;

import io.strongroom.api.AuditMessages.AuditList;
import io.strongroom.api.AuditMessages.AuditRecordResponse;
import io.strongroom.api.AuditMessages.VerifyResponse;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code strongroom audit list|verify}. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "The audit log: every API call, allowed or refused, in a tamper-evident chain.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {AuditCommands.ListRecords.class, AuditCommands.Verify.class})
final class AuditCommands extends BaseCommand.Group {

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "List a tenant's audit records, oldest first: one page, or every page with --all.",
        "When more records follow, the next page's token is printed to stderr (and is"
            + " nextPageToken in the JSON output); pass it to --page-token."
      })
  static final class ListRecords extends BaseCommand {
    @Mixin TenantOption tenant;

    @Option(
        names = "--page-size",
        paramLabel = "N",
        description = "Records per page (the server's default when absent).")
    Integer pageSize;

    @Option(
        names = "--page-token",
        paramLabel = "TOKEN",
        description = "Continue where a previous page ended.")
    String pageToken;

    @Option(names = "--all", description = "Follow every page to the end of the log.")
    boolean all;

    @Override
    void run() {
      String t = tenant(tenant);
      AuditList page = client().listAudit(t, pageSize, pageToken);
      if (all) {
        List<AuditRecordResponse> records = new ArrayList<>(page.records());
        while (page.nextPageToken() != null) {
          page = client().listAudit(t, pageSize, page.nextPageToken());
          records.addAll(page.records());
        }
        page = new AuditList(records, null);
      }
      Output out = out();
      Views.audit(out, page);
      if (!out.json() && page.nextPageToken() != null) {
        out.note("More records follow: --page-token " + page.nextPageToken());
      }
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Verify the whole audit chain (platform admins).",
        "Detects any edited, deleted or reordered record. Exits with 7 when the chain does not"
            + " verify."
      })
  static final class Verify extends BaseCommand {
    @Override
    void run() {
      VerifyResponse v = client().verifyAudit();
      Views.verify(out(), v);
      if (!v.ok()) {
        throw new CliException(
            "AUDIT_CHAIN_BROKEN",
            ExitCodes.AUDIT_BROKEN,
            "the audit chain does not verify"
                + (v.firstBadSeq() == null ? "" : " from record " + v.firstBadSeq())
                + (v.reason() == null ? "" : ": " + v.reason()));
      }
    }
  }
}
