package io.strongroom.cli;

import io.strongroom.client.StrongroomClient;
import io.strongroom.client.StrongroomConnectionException;
import io.strongroom.client.StrongroomException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import javax.net.ssl.SSLException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code strongroom} command: the root of the command tree, the global options (connection,
 * output format, debug), and the one place that turns failures into messages and exit codes.
 *
 * <p>Run it with {@link #main}; tests build it with {@link #commandLine(Environment)} and call
 * {@link CommandLine#execute}, with an {@link Environment} of their own.
 */
@Command(
    name = "strongroom",
    mixinStandardHelpOptions = true,
    versionProvider = Strongroom.Version.class,
    description = {
      "Command-line client of Strongroom, the key-management service: tenants, principals"
          + " and tokens, keys and their versions, envelope encryption of files and streams,"
          + " data keys, and the audit log."
    },
    synopsisSubcommandLabel = "COMMAND",
    footer = {
      "",
      "Run 'strongroom COMMAND --help' for a command's options.",
      "The global options (--addr, --token, --token-file, --cacert, --config, --output,",
      "--debug) may come before or after the command.",
      "",
      "Exit codes:",
      "  0  success",
      "  1  unexpected failure of the CLI itself (--debug shows where)",
      "  2  usage: unknown command or option, missing or malformed value, bad config",
      "  3  authentication: UNAUTHENTICATED, PERMISSION_DENIED, or no token configured",
      "  4  not found: NOT_FOUND (tenant, principal, token, key or version)",
      "  5  request refused or local failure: INVALID_ARGUMENT, INVALID_CIPHERTEXT,",
      "     FAILED_PRECONDITION, ALREADY_EXISTS, CONFLICT, PAYLOAD_TOO_LARGE, IO_ERROR",
      "  6  server or connection failure: UNAVAILABLE, RESOURCE_EXHAUSTED, INTERNAL,",
      "     CONNECTION_FAILED (refused, TLS, timeout), INVALID_RESPONSE",
      "",
      "Errors go to stderr as 'error: CODE: message (request ID)'.",
      "",
      "Settings (the first that is set wins):",
      "  server  --addr, STRONGROOM_ADDR, addr=        (default " + Settings.DEFAULT_ADDR + ")",
      "  token   --token or --token-file, STRONGROOM_TOKEN or STRONGROOM_TOKEN_FILE,",
      "          token= or token-file=",
      "  CA      --cacert, STRONGROOM_CACERT, cacert=  (default: the JDK's trust store)",
      "  tenant  --tenant, STRONGROOM_TENANT, tenant=",
      "where name= is a line of the config file: --config FILE, STRONGROOM_CONFIG, or",
      "~/.config/strongroom/config.properties (honours XDG_CONFIG_HOME)."
    },
    subcommands = {
      TenantCommands.class,
      PrincipalCommands.class,
      TokenCommands.class,
      KeyCommands.class,
      VersionCommands.class,
      CryptoCommands.Encrypt.class,
      CryptoCommands.Decrypt.class,
      CryptoCommands.DataKey.class,
      AuditCommands.class,
      CompletionCommand.class,
      HelpCommand.class
    })
public final class Strongroom implements Runnable {
  @Option(
      names = "--addr",
      paramLabel = "URL",
      scope = ScopeType.INHERIT,
      description = "Server address, e.g. https://kms.example.com:8443 (STRONGROOM_ADDR).")
  String addr;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      scope = ScopeType.INHERIT,
      description =
          "API token (STRONGROOM_TOKEN). Visible to other users in the process list: prefer"
              + " --token-file or the environment.")
  String token;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "File holding the API token (STRONGROOM_TOKEN_FILE).")
  String tokenFile;

  @Option(
      names = "--cacert",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "PEM file of the CA certificate(s) to trust (STRONGROOM_CACERT).")
  String cacert;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description =
          "Config file (STRONGROOM_CONFIG; default ~/.config/strongroom/config.properties).")
  String config;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      scope = ScopeType.INHERIT,
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
      defaultValue = "table")
  Output.Format output = Output.Format.table;

  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "Print the stack trace of a failure.")
  boolean debug;

  @Spec CommandSpec spec;

  private final Environment env;
  private Settings settings;
  private StrongroomClient client;

  /** The command in the real process environment. */
  public Strongroom() {
    this(Environment.system());
  }

  /** The command in a given environment (tests). */
  public Strongroom(Environment env) {
    this.env = env;
  }

  public static void main(String[] args) {
    int code = commandLine(Environment.system()).execute(args);
    System.exit(code);
  }

  /**
   * The command line for {@code env}: output to its streams, the error handlers that map failures
   * to exit codes, and the client closed after the command ran.
   */
  public static CommandLine commandLine(Environment env) {
    Strongroom root = new Strongroom(env);
    CommandLine cmd = new CommandLine(root);
    cmd.setOut(new PrintWriter(new OutputStreamWriter(env.stdout(), StandardCharsets.UTF_8), true));
    cmd.setErr(new PrintWriter(new OutputStreamWriter(env.stderr(), StandardCharsets.UTF_8), true));
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setExecutionExceptionHandler(root::handleExecutionException);
    cmd.setParameterExceptionHandler(Strongroom::handleParameterException);
    cmd.setExecutionStrategy(
        parseResult -> {
          try {
            return new CommandLine.RunLast().execute(parseResult);
          } finally {
            root.close();
          }
        });
    return cmd;
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  // ---- for the commands ----

  Environment env() {
    return env;
  }

  /** The output of the command (format from --output, streams from the environment). */
  Output output(CommandSpec command) {
    return new Output(output, command.commandLine().getOut(), command.commandLine().getErr());
  }

  /** The connection settings, resolved once. */
  Settings settings() {
    if (settings == null) {
      settings =
          Settings.resolve(
              new Settings.Flags(addr, token, tokenFile, cacert, config, null), env, w -> warn(w));
    }
    return settings;
  }

  /**
   * The tenant: the command's {@code --tenant}, else STRONGROOM_TENANT, else the config file.
   *
   * @throws ParameterException when none is set
   */
  String tenant(CommandSpec command, String option) {
    if (option != null && !option.isBlank()) {
      return option;
    }
    String t = settings().tenant();
    if (t == null) {
      throw new ParameterException(
          command.commandLine(),
          "Missing required option: '--tenant=TENANT' (or set STRONGROOM_TENANT)");
    }
    return t;
  }

  /** The client, built on first use. */
  StrongroomClient client() {
    if (client == null) {
      Settings s = settings();
      if (s.token() == null) {
        throw new CliException(
            "UNAUTHENTICATED",
            ExitCodes.AUTH,
            "no token: give --token-file FILE, set STRONGROOM_TOKEN, or put token-file= in the"
                + " config file");
      }
      client = Clients.create(s);
    }
    return client;
  }

  void warn(String message) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("warning: " + message);
    err.flush();
  }

  private void close() {
    if (client != null) {
      client.close();
      client = null;
    }
  }

  // ---- failures ----

  private int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    cmd.getOut().flush();
    int exit;
    String line;
    if (ex instanceof StrongroomException e) {
      exit = ExitCodes.forException(e);
      line = "error: " + e.code() + ": " + describe(e);
      if (e.requestId() != null) {
        line += " (request " + e.requestId() + ")";
      }
    } else if (ex instanceof CliException e) {
      exit = e.exitCode();
      line = "error: " + e.code() + ": " + e.getMessage();
    } else if (ex instanceof IOException e) {
      CliException c = CliException.io("I/O", e);
      exit = c.exitCode();
      line = "error: " + c.code() + ": " + c.getMessage();
    } else {
      exit = ExitCodes.UNEXPECTED;
      line =
          "error: INTERNAL_CLI_ERROR: "
              + ex
              + (debug ? "" : " (run with --debug for the stack trace)");
    }
    err.println(line);
    if (debug) {
      ex.printStackTrace(err);
    }
    err.flush();
    return exit;
  }

  /** The message of an SDK exception, with a hint for connection and TLS failures. */
  private String describe(StrongroomException e) {
    String message = e.serverMessage() == null ? "" : e.serverMessage();
    if (e instanceof StrongroomConnectionException) {
      String addr = settings == null ? "the server" : settings.addr().toString();
      Throwable root = e;
      boolean tls = false;
      for (Throwable t = e; t != null; t = t.getCause()) {
        root = t;
        tls |= t instanceof SSLException;
      }
      String cause =
          root == e || root.getMessage() == null
              ? root.getClass().getSimpleName()
              : root.getMessage();
      if (root instanceof java.net.ConnectException && root.getMessage() == null) {
        cause = "connection refused";
      }
      message = "cannot reach " + addr + ": " + (message.isEmpty() ? cause : message);
      if (!message.contains(cause)) {
        message += " (" + cause + ")";
      }
      if (tls) {
        message += "; check --cacert / STRONGROOM_CACERT";
      }
    }
    return message;
  }

  private static int handleParameterException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("error: USAGE: " + ex.getMessage());
    if (!UnmatchedArgumentException.printSuggestions(ex, err)) {
      err.print(cmd.getHelp().fullSynopsis());
    }
    err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for more.");
    err.flush();
    return ExitCodes.USAGE;
  }

  /** The version from the build (cli/src/main/resources/.../version.properties). */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Strongroom.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "strongroom " + p.getProperty("version", "unknown"),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")"
      };
    }
  }
}
