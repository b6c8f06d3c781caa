package io.strongroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strongroom.server.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command of {@code strongroom} in-process against a real server (HTTPS, embedded store): its
 * success, its table and JSON output, and its error exits.
 */
class CommandsTest {
  static TestServer server;
  static Cli admin;
  static String appToken;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
    admin = Cli.against(server, dir.resolve("admin"));
    admin.ok("tenant", "create", "acme", "--description", "ACME Corp");
    JsonNode p =
        admin.json(
            "principal",
            "create",
            "app",
            "--tenant",
            "acme",
            "--role",
            "key-admin",
            "--role",
            "key-user,auditor");
    appToken = p.path("token").path("token").asText();
    assertThat(appToken).startsWith("srt_");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A CLI acting as the tenant's app principal. */
  static Cli app(String name) {
    return Cli.against(server, dir.resolve(name)).token(appToken);
  }

  // ---- tenants ----

  @Test
  void tenantCreateAndList() {
    Cli.Result created = admin.ok("tenant", "create", "globex", "--description", "Globex Inc");
    assertThat(created.out()).contains("name").contains("globex").contains("Globex Inc");

    JsonNode json = admin.json("tenant", "create", "initech");
    assertThat(json.path("name").asText()).isEqualTo("initech");
    assertThat(json.has("createdAt")).isTrue();

    Cli.Result table = admin.ok("tenant", "list");
    assertThat(table.out()).startsWith("NAME").contains("acme").contains("globex");

    // paging: all pages are followed, whatever the page size
    JsonNode list = admin.json("tenant", "list", "--page-size", "1");
    List<String> names = new ArrayList<>();
    list.path("tenants").forEach(t -> names.add(t.path("name").asText()));
    assertThat(names).contains("acme", "globex", "initech");
    assertThat(list.has("nextPageToken")).isFalse();
  }

  @Test
  void tenantErrors() {
    Cli.Result dup = admin.run("tenant", "create", "acme");
    assertThat(dup.exit()).as("%s", dup).isEqualTo(ExitCodes.CLIENT);
    assertThat(dup.err()).startsWith("error: ALREADY_EXISTS: ").contains("(request ");
    assertThat(dup.out()).isEmpty();

    Cli.Result denied = app("t1").run("tenant", "list");
    assertThat(denied.exit()).as("%s", denied).isEqualTo(ExitCodes.AUTH);
    assertThat(denied.err()).startsWith("error: PERMISSION_DENIED: ");

    Cli.Result wrongToken = app("t2").token("srt_not-a-real-token").run("tenant", "list");
    assertThat(wrongToken.exit()).as("%s", wrongToken).isEqualTo(ExitCodes.AUTH);
    assertThat(wrongToken.err()).startsWith("error: UNAUTHENTICATED: ");
    assertThat(wrongToken.err()).doesNotContain("Exception").doesNotContain("\tat ");

    Cli.Result noName = admin.run("tenant", "create");
    assertThat(noName.exit()).as("%s", noName).isEqualTo(ExitCodes.USAGE);
    assertThat(noName.err()).contains("Missing required parameter: 'NAME'");
  }

  // ---- principals and tokens ----

  @Test
  void principalCreatePrintsItsTokenOnce() {
    Cli.Result r =
        admin.ok("principal", "create", "ops", "--tenant", "acme", "--role", "key-admin");
    assertThat(r.out()).contains("principal").contains("ops").contains("srt_");
    assertThat(r.err()).contains("shown only this once");

    JsonNode j =
        admin.json(
            "principal", "create", "reader", "-t", "acme", "-r", "auditor", "--token-ttl", "PT1H");
    assertThat(j.path("roles").toString()).contains("auditor");
    assertThat(j.path("token").path("token").asText()).startsWith("srt_");
    assertThat(j.path("token").path("id").asText()).isNotBlank();
  }

  @Test
  void principalErrors() {
    Cli.Result noRole = admin.run("principal", "create", "x", "--tenant", "acme");
    assertThat(noRole.exit()).as("%s", noRole).isEqualTo(ExitCodes.USAGE);
    assertThat(noRole.err()).contains("--role");

    Cli.Result badRole =
        admin.run("principal", "create", "x", "--tenant", "acme", "--role", "wizard");
    assertThat(badRole.exit()).as("%s", badRole).isEqualTo(ExitCodes.CLIENT);
    assertThat(badRole.err()).startsWith("error: INVALID_ARGUMENT: ");

    Cli.Result noTenant =
        admin.run("principal", "create", "x", "--tenant", "nowhere", "-r", "auditor");
    assertThat(noTenant.exit()).as("%s", noTenant).isEqualTo(ExitCodes.NOT_FOUND);

    Cli.Result missingTenantOption = admin.run("principal", "create", "x", "-r", "auditor");
    assertThat(missingTenantOption.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(missingTenantOption.err()).contains("--tenant");

    Cli.Result badTtl =
        admin.run("principal", "create", "x", "-t", "acme", "-r", "auditor", "--token-ttl", "1h");
    assertThat(badTtl.exit()).as("%s", badTtl).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void tokenIssueAndRevoke() {
    admin.ok("principal", "create", "svc", "--tenant", "acme", "--role", "key-user");
    JsonNode t =
        admin.json(
            "token", "issue", "svc", "--tenant", "acme", "--ttl", "PT2H", "--description", "ci");
    String secret = t.path("token").asText();
    String id = t.path("id").asText();
    assertThat(secret).startsWith("srt_");
    assertThat(t.path("description").asText()).isEqualTo("ci");

    Cli.Result table = admin.ok("token", "issue", "svc", "--tenant", "acme");
    assertThat(table.out()).contains("token").contains("srt_").contains("expires");

    // the new token works
    Cli svc = app("svc").token(secret);
    svc.ok("key", "list", "--tenant", "acme");

    Cli.Result revoked = admin.ok("token", "revoke", "svc", id, "--tenant", "acme");
    assertThat(revoked.out()).contains("Revoked token " + id);
    String other = admin.json("token", "issue", "svc", "-t", "acme").path("id").asText();
    assertThat(admin.json("token", "revoke", "svc", other, "--tenant", "acme").size()).isZero();
    Cli.Result again = admin.run("token", "revoke", "svc", id, "--tenant", "acme");
    assertThat(again.exit()).as("%s", again).isEqualTo(ExitCodes.NOT_FOUND);

    Cli.Result after = svc.run("key", "list", "--tenant", "acme");
    assertThat(after.exit()).as("%s", after).isEqualTo(ExitCodes.AUTH);
    assertThat(after.err()).startsWith("error: UNAUTHENTICATED");

    Cli.Result missing = admin.run("token", "revoke", "nobody", "0123456789abcdef", "-t", "acme");
    assertThat(missing.exit()).as("%s", missing).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(missing.err()).startsWith("error: NOT_FOUND: ");

    Cli.Result tooLong = admin.run("token", "issue", "svc", "-t", "acme", "--ttl", "P999D");
    assertThat(tooLong.exit()).as("%s", tooLong).isEqualTo(ExitCodes.CLIENT);

    Cli.Result noId = admin.run("token", "revoke", "svc", "--tenant", "acme");
    assertThat(noId.exit()).isEqualTo(ExitCodes.USAGE);
  }

  // ---- keys ----

  @Test
  void keyLifecycle() {
    Cli app = app("keys");
    JsonNode k =
        app.json(
            "key",
            "create",
            "orders",
            "--tenant",
            "acme",
            "--protection",
            "SOFTWARE",
            "--rotation-period",
            "P90D",
            "--description",
            "order data",
            "--label",
            "team=payments",
            "--label",
            "env=prod");
    assertThat(k.path("name").asText()).isEqualTo("orders");
    assertThat(k.path("state").asText()).isEqualTo("ENABLED");
    assertThat(k.path("rotationPeriod").asText()).isEqualTo("P90D");
    assertThat(k.path("labels").path("team").asText()).isEqualTo("payments");
    assertThat(k.path("labels").path("env").asText()).isEqualTo("prod");
    assertThat(k.path("primaryVersion").asInt()).isEqualTo(1);

    Cli.Result table = app.ok("key", "create", "invoices", "--tenant", "acme");
    assertThat(table.out()).contains("protection").contains("SOFTWARE").contains("invoices");

    Cli.Result list = app.ok("key", "list", "--tenant", "acme");
    assertThat(list.out()).startsWith("NAME").contains("orders").contains("invoices");
    assertThat(list.out()).contains("team=payments");
    JsonNode listJson = app.json("key", "list", "--tenant", "acme", "--page-size", "1");
    assertThat(listJson.path("keys").size()).isGreaterThanOrEqualTo(2);

    assertThat(app.ok("key", "show", "orders", "--tenant", "acme").out())
        .contains("rotation period")
        .contains("P90D");

    JsonNode rotated = app.json("key", "rotate", "orders", "--tenant", "acme");
    assertThat(rotated.path("primaryVersion").asInt()).isEqualTo(2);
    long revision = rotated.path("revision").asLong();

    JsonNode updated =
        app.json(
            "key",
            "update",
            "orders",
            "--tenant",
            "acme",
            "--min-decrypt-version",
            "2",
            "--description",
            "orders v2",
            "--if-revision",
            Long.toString(revision));
    assertThat(updated.path("minDecryptVersion").asInt()).isEqualTo(2);
    assertThat(updated.path("description").asText()).isEqualTo("orders v2");

    Cli.Result stale =
        app.run(
            "key",
            "update",
            "orders",
            "-t",
            "acme",
            "--rotation-period",
            "none",
            "--if-revision",
            Long.toString(revision));
    assertThat(stale.exit()).as("%s", stale).isEqualTo(ExitCodes.CLIENT);
    assertThat(stale.err()).startsWith("error: CONFLICT: ");

    JsonNode noRotation =
        app.json("key", "update", "orders", "-t", "acme", "--rotation-period", "none");
    assertThat(noRotation.has("rotationPeriod")).isFalse();

    assertThat(app.json("key", "disable", "orders", "-t", "acme").path("state").asText())
        .isEqualTo("DISABLED");
    assertThat(app.json("key", "enable", "orders", "-t", "acme").path("state").asText())
        .isEqualTo("ENABLED");
    JsonNode scheduled =
        app.json("key", "schedule-destroy", "invoices", "-t", "acme", "--pending-days", "7");
    assertThat(scheduled.path("state").asText()).isEqualTo("DESTROY_SCHEDULED");
    assertThat(scheduled.path("destroyAt").asText()).isNotBlank();
    assertThat(app.json("key", "cancel-destroy", "invoices", "-t", "acme").path("state").asText())
        .isEqualTo("DISABLED");
  }

  @Test
  void keyErrors() {
    Cli app = app("key-errors");
    app.ok("key", "create", "k1", "--tenant", "acme");

    Cli.Result dup = app.run("key", "create", "k1", "--tenant", "acme");
    assertThat(dup.exit()).as("%s", dup).isEqualTo(ExitCodes.CLIENT);
    assertThat(dup.err()).startsWith("error: ALREADY_EXISTS: ");

    for (String[] args :
        List.of(
            new String[] {"key", "show", "nope", "-t", "acme"},
            new String[] {"key", "rotate", "nope", "-t", "acme"},
            new String[] {"key", "enable", "nope", "-t", "acme"},
            new String[] {"key", "disable", "nope", "-t", "acme"},
            new String[] {"key", "schedule-destroy", "nope", "-t", "acme"},
            new String[] {"key", "cancel-destroy", "nope", "-t", "acme"},
            new String[] {"key", "update", "nope", "-t", "acme", "--description", "x"},
            new String[] {"key", "list", "-t", "nowhere"})) {
      Cli.Result r = app.run(args);
      assertThat(r.exit()).as("%s", r).isIn(ExitCodes.NOT_FOUND, ExitCodes.AUTH);
      assertThat(r.err()).containsPattern("^error: (NOT_FOUND|PERMISSION_DENIED): .*\\(request ");
    }
    assertThat(app.run("key", "show", "nope", "-t", "acme").exit()).isEqualTo(ExitCodes.NOT_FOUND);

    Cli.Result hsm = app.run("key", "create", "k2", "-t", "acme", "--protection", "HSM");
    assertThat(hsm.exit()).as("%s", hsm).isEqualTo(ExitCodes.CLIENT);

    Cli.Result badPeriod = app.run("key", "create", "k3", "-t", "acme", "--rotation-period", "P0D");
    assertThat(badPeriod.exit()).as("%s", badPeriod).isEqualTo(ExitCodes.CLIENT);
    assertThat(badPeriod.err()).startsWith("error: INVALID_ARGUMENT: ");

    Cli.Result shortPending =
        app.run("key", "schedule-destroy", "k1", "-t", "acme", "--pending-days", "3");
    assertThat(shortPending.exit()).as("%s", shortPending).isEqualTo(ExitCodes.CLIENT);

    Cli.Result notScheduled = app.run("key", "cancel-destroy", "k1", "-t", "acme");
    assertThat(notScheduled.exit()).as("%s", notScheduled).isEqualTo(ExitCodes.CLIENT);
    assertThat(notScheduled.err()).startsWith("error: FAILED_PRECONDITION: ");

    Cli.Result nothing = app.run("key", "update", "k1", "-t", "acme");
    assertThat(nothing.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(nothing.err()).contains("Nothing to change");

    Cli.Result badLabel = app.run("key", "create", "k4", "-t", "acme", "--label", "novalue");
    assertThat(badLabel.exit()).as("%s", badLabel).isEqualTo(ExitCodes.USAGE);
    assertThat(badLabel.err()).contains("KEY=VALUE");

    Cli.Result notANumber =
        app.run("key", "update", "k1", "-t", "acme", "--min-decrypt-version", "x");
    assertThat(notANumber.exit()).isEqualTo(ExitCodes.USAGE);
  }

  // ---- versions ----

  @Test
  void versionLifecycle() {
    Cli app = app("versions");
    app.ok("key", "create", "vk", "--tenant", "acme");
    app.ok("key", "rotate", "vk", "--tenant", "acme");

    Cli.Result list = app.ok("version", "list", "vk", "--tenant", "acme");
    assertThat(list.out()).startsWith("VERSION").contains("ENABLED").contains("yes");
    JsonNode versions = app.json("version", "list", "vk", "--tenant", "acme");
    assertThat(versions.path("versions").size()).isEqualTo(2);

    JsonNode v1 = app.json("version", "show", "vk", "1", "--tenant", "acme");
    assertThat(v1.path("version").asInt()).isEqualTo(1);
    assertThat(v1.path("primary").asBoolean()).isFalse();
    assertThat(app.ok("version", "show", "vk", "2", "-t", "acme").out()).contains("primary");

    assertThat(app.json("version", "disable", "vk", "1", "-t", "acme").path("state").asText())
        .isEqualTo("DISABLED");
    assertThat(app.json("version", "enable", "vk", "1", "-t", "acme").path("state").asText())
        .isEqualTo("ENABLED");
    assertThat(
            app.json("version", "make-primary", "vk", "1", "-t", "acme")
                .path("primary")
                .asBoolean())
        .isTrue();
    app.ok("version", "make-primary", "vk", "2", "-t", "acme");
    JsonNode scheduled =
        app.json("version", "schedule-destroy", "vk", "1", "-t", "acme", "--pending-days", "7");
    assertThat(scheduled.path("state").asText()).isEqualTo("DESTROY_SCHEDULED");
    assertThat(
            app.json("version", "cancel-destroy", "vk", "1", "-t", "acme").path("state").asText())
        .isEqualTo("DISABLED");
  }

  @Test
  void versionErrors() {
    Cli app = app("version-errors");
    app.ok("key", "create", "ve", "--tenant", "acme");

    Cli.Result missing = app.run("version", "show", "ve", "9", "-t", "acme");
    assertThat(missing.exit()).as("%s", missing).isEqualTo(ExitCodes.NOT_FOUND);
    Cli.Result missingKey = app.run("version", "list", "nope", "-t", "acme");
    assertThat(missingKey.exit()).as("%s", missingKey).isEqualTo(ExitCodes.NOT_FOUND);

    Cli.Result primary = app.run("version", "schedule-destroy", "ve", "1", "-t", "acme");
    assertThat(primary.exit()).as("%s", primary).isEqualTo(ExitCodes.CLIENT);
    assertThat(primary.err()).startsWith("error: FAILED_PRECONDITION: ");
    Cli.Result notScheduled = app.run("version", "cancel-destroy", "ve", "1", "-t", "acme");
    assertThat(notScheduled.exit()).as("%s", notScheduled).isEqualTo(ExitCodes.CLIENT);

    Cli.Result notNumber = app.run("version", "show", "ve", "one", "-t", "acme");
    assertThat(notNumber.exit()).isEqualTo(ExitCodes.USAGE);
    Cli.Result noVersion = app.run("version", "enable", "ve", "-t", "acme");
    assertThat(noVersion.exit()).isEqualTo(ExitCodes.USAGE);

    for (String op : List.of("enable", "make-primary", "schedule-destroy", "cancel-destroy")) {
      Cli.Result r = app.run("version", op, "ve", "7", "-t", "acme");
      assertThat(r.exit()).as("%s: %s", op, r).isEqualTo(ExitCodes.NOT_FOUND);
    }
  }

  // ---- data keys ----

  @Test
  void datakey() {
    Cli app = app("datakey");
    app.ok("key", "create", "dk", "--tenant", "acme");

    JsonNode d =
        app.json("datakey", "--tenant", "acme", "--key", "dk", "--context", "table=orders");
    assertThat(Base64.getDecoder().decode(d.path("plaintext").asText())).hasSize(32);
    assertThat(d.path("ciphertext").asText()).isNotBlank();
    assertThat(d.path("keyVersion").asInt()).isEqualTo(1);

    JsonNode wide =
        app.json("datakey", "-t", "acme", "-k", "dk", "--bytes", "64", "--no-plaintext");
    assertThat(wide.has("plaintext")).isFalse();
    assertThat(wide.path("ciphertext").asText()).isNotBlank();

    Cli.Result table = app.ok("datakey", "-t", "acme", "-k", "dk");
    assertThat(table.out()).contains("plaintext").contains("ciphertext");

    Cli.Result tooShort = app.run("datakey", "-t", "acme", "-k", "dk", "--bytes", "8");
    assertThat(tooShort.exit()).as("%s", tooShort).isEqualTo(ExitCodes.CLIENT);
    assertThat(tooShort.err()).startsWith("error: INVALID_ARGUMENT: ");

    Cli.Result noKey = app.run("datakey", "-t", "acme", "-k", "missing");
    assertThat(noKey.exit()).as("%s", noKey).isEqualTo(ExitCodes.NOT_FOUND);

    Cli.Result keyOption = app.run("datakey", "-t", "acme");
    assertThat(keyOption.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(keyOption.err()).contains("--key");
  }

  // ---- audit ----

  @Test
  void auditListAndVerify() {
    Cli app = app("audit");
    app.ok("key", "create", "audited", "--tenant", "acme");

    JsonNode page = app.json("audit", "list", "--tenant", "acme", "--page-size", "2");
    assertThat(page.path("records").size()).isEqualTo(2);
    assertThat(page.path("nextPageToken").asText()).isNotBlank();

    JsonNode next =
        app.json(
            "audit",
            "list",
            "-t",
            "acme",
            "--page-size",
            "2",
            "--page-token",
            page.path("nextPageToken").asText());
    assertThat(next.path("records").get(0).path("seq").asLong())
        .isGreaterThan(page.path("records").get(1).path("seq").asLong());

    JsonNode all = app.json("audit", "list", "-t", "acme", "--all", "--page-size", "3");
    assertThat(all.path("records").size()).isGreaterThan(4);
    assertThat(all.has("nextPageToken")).isFalse();

    Cli.Result table = app.ok("audit", "list", "-t", "acme", "--page-size", "2");
    assertThat(table.out()).startsWith("SEQ").contains("OPERATION");
    assertThat(table.err()).contains("--page-token");

    Cli.Result verified = admin.ok("audit", "verify");
    assertThat(verified.out()).contains("ok").contains("true");
    assertThat(admin.json("audit", "verify").path("ok").asBoolean()).isTrue();

    Cli.Result denied = app.run("audit", "verify");
    assertThat(denied.exit()).as("%s", denied).isEqualTo(ExitCodes.AUTH);
    assertThat(denied.err()).startsWith("error: PERMISSION_DENIED: ");

    Cli.Result elsewhere = app.run("audit", "list", "-t", "globex-nope");
    assertThat(elsewhere.exit()).isIn(ExitCodes.AUTH, ExitCodes.NOT_FOUND);

    Cli.Result badSize = app.run("audit", "list", "-t", "acme", "--page-size", "0");
    assertThat(badSize.exit()).as("%s", badSize).isEqualTo(ExitCodes.CLIENT);
  }

  // ---- the command line itself ----

  @Test
  void globalOptionsBeforeOrAfterTheCommand() {
    Cli app = app("global");
    app.ok("key", "create", "g", "--tenant", "acme");
    JsonNode before = app.ok("-o", "json", "key", "show", "g", "-t", "acme").json();
    JsonNode after = app.ok("key", "show", "g", "-t", "acme", "--output", "json").json();
    JsonNode middle = app.ok("key", "--output=json", "show", "g", "-t", "acme").json();
    assertThat(before.path("name").asText()).isEqualTo("g");
    assertThat(after).isEqualTo(before);
    assertThat(middle).isEqualTo(before);

    Cli.Result badFormat = app.run("-o", "yaml", "key", "show", "g", "-t", "acme");
    assertThat(badFormat.exit()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void helpOnEveryCommand() {
    CommandLine root = Strongroom.commandLine(admin.env);
    List<List<String>> paths = new ArrayList<>();
    collect(root, new ArrayList<>(), paths);
    assertThat(paths).hasSizeGreaterThan(25);
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      Cli.Result r = admin.run(args.toArray(String[]::new));
      assertThat(r.exit()).as("%s: %s", args, r).isZero();
      assertThat(r.out()).as("%s", args).startsWith("Usage: strongroom");
    }
    Cli.Result top = admin.ok("--help");
    assertThat(top.out())
        .contains("Exit codes:")
        .contains("3  authentication")
        .contains("6  server or connection failure");
    assertThat(admin.ok("--version").out()).startsWith("strongroom ");
    assertThat(admin.ok("help", "key").out()).startsWith("Usage: strongroom key");
  }

  private static void collect(CommandLine cmd, List<String> path, List<List<String>> into) {
    into.add(path);
    for (var e : cmd.getSubcommands().entrySet()) {
      if (e.getKey().equals("help")) {
        continue;
      }
      List<String> sub = new ArrayList<>(path);
      sub.add(e.getKey());
      collect(e.getValue(), sub, into);
    }
  }

  @Test
  void exactShapesOfTheIssue() {
    Cli app = app("shapes");
    // the shapes scripts rely on, exactly as the issue lists them
    assertThat(admin.run("tenant", "create", "shapes").exit()).isZero();
    assertThat(app.run("key", "create", "shape-key", "--tenant", "acme").exit()).isZero();
    assertThat(app.run("key", "rotate", "shape-key", "--tenant", "acme").exit()).isZero();
    assertThat(admin.run("audit", "verify").exit()).isZero();
  }

  @Test
  void usageErrors() {
    Cli.Result none = admin.run();
    assertThat(none.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(none.err()).contains("Missing required subcommand");

    Cli.Result group = admin.run("key");
    assertThat(group.exit()).isEqualTo(ExitCodes.USAGE);

    Cli.Result unknown = admin.run("key", "creat", "x");
    assertThat(unknown.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).startsWith("error: USAGE: ").contains("key create");

    Cli.Result option = admin.run("tenant", "list", "--frobnicate");
    assertThat(option.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(option.err()).contains("--frobnicate").contains("strongroom tenant list --help");
  }

  @Test
  void completionScript() {
    Cli.Result r = admin.ok("completion");
    assertThat(r.out())
        .contains("complete -F")
        .contains("strongroom")
        .contains("schedule-destroy")
        .contains("--tenant");
  }
}
