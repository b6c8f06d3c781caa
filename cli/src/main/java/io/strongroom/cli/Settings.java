package io.strongroom.cli;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where the server is and how to authenticate, resolved from the command line, the environment and
 * a config file, in that order of precedence (the first that sets a value wins):
 *
 * <ol>
 *   <li>options: {@code --addr}, {@code --token} or {@code --token-file}, {@code --cacert}, {@code
 *       --tenant};
 *   <li>environment: {@code STRONGROOM_ADDR}, {@code STRONGROOM_TOKEN} or {@code
 *       STRONGROOM_TOKEN_FILE}, {@code STRONGROOM_CACERT}, {@code STRONGROOM_TENANT};
 *   <li>the config file ({@code --config FILE}, else {@code STRONGROOM_CONFIG}, else {@code
 *       $XDG_CONFIG_HOME/strongroom/config.properties}, else {@code
 *       ~/.config/strongroom/config.properties}), a Java properties file with the keys {@code
 *       addr}, {@code token} or {@code token-file}, {@code cacert} and {@code tenant}.
 * </ol>
 *
 * <p>A token given directly and a token file at the same level are refused as ambiguous; a token
 * file's content is trimmed. Without any address the CLI uses {@value #DEFAULT_ADDR}, where {@code
 * bin/server} listens; without a CA certificate it trusts the JDK's default trust store.
 *
 * @param addr the server's base URI
 * @param token the bearer token, or null when none is configured
 * @param tokenSource where the token came from, for messages (never the token itself)
 * @param cacert the PEM file of CA certificates to trust, or null for the JDK's trust store
 * @param tenant the default tenant, or null
 */
public record Settings(URI addr, String token, String tokenSource, Path cacert, String tenant) {
  public static final String DEFAULT_ADDR = "https://127.0.0.1:8443";

  /** The connection options of the command line (null when absent). */
  public record Flags(
      String addr, String token, String tokenFile, String cacert, String config, String tenant) {}

  @Override
  public String toString() {
    return "Settings[addr="
        + addr
        + ", token "
        + (token == null ? "absent" : "from " + tokenSource)
        + ", cacert="
        + cacert
        + ", tenant="
        + tenant
        + "]";
  }

  /**
   * Resolves the settings.
   *
   * @param warn receives warnings (e.g. a token file others may read)
   * @throws CliException when the config file named by {@code --config} or {@code
   *     STRONGROOM_CONFIG} cannot be read, a token file cannot be read, or a value is malformed
   */
  public static Settings resolve(Flags flags, Environment env, Consumer<String> warn) {
    Properties file = new Properties();
    Path configPath = configFile(flags, env, file, warn);

    String addr = first(flags.addr(), env.getenv("STRONGROOM_ADDR"), file.getProperty("addr"));
    String cacert =
        first(flags.cacert(), env.getenv("STRONGROOM_CACERT"), file.getProperty("cacert"));
    String tenant =
        first(flags.tenant(), env.getenv("STRONGROOM_TENANT"), file.getProperty("tenant"));

    String token = null;
    String source = null;
    String[][] levels = {
      {flags.token(), flags.tokenFile(), "--token", "--token-file"},
      {
        env.getenv("STRONGROOM_TOKEN"),
        env.getenv("STRONGROOM_TOKEN_FILE"),
        "STRONGROOM_TOKEN",
        "STRONGROOM_TOKEN_FILE"
      },
      {
        file.getProperty("token"),
        file.getProperty("token-file"),
        "token in " + configPath,
        "token-file in " + configPath
      },
    };
    for (String[] level : levels) {
      String direct = blankToNull(level[0]);
      String fromFile = blankToNull(level[1]);
      if (direct != null && fromFile != null) {
        throw new CliException(
            "USAGE",
            ExitCodes.USAGE,
            level[2] + " and " + level[3] + " are both set; give only one");
      }
      if (direct != null) {
        token = direct.strip();
        source = level[2];
        break;
      }
      if (fromFile != null) {
        token = readToken(env.resolve(fromFile), warn);
        source = level[3] + " (" + fromFile + ")";
        break;
      }
    }

    return new Settings(
        parseAddr(addr == null ? DEFAULT_ADDR : addr),
        token,
        source,
        cacert == null ? null : env.resolve(cacert),
        blankToNull(tenant));
  }

  private static Path configFile(
      Flags flags, Environment env, Properties into, Consumer<String> warn) {
    String named = first(flags.config(), env.getenv("STRONGROOM_CONFIG"), null);
    Path path;
    if (named != null) {
      path = env.resolve(named);
    } else {
      String xdg = blankToNull(env.getenv("XDG_CONFIG_HOME"));
      Path base = xdg != null ? env.resolve(xdg) : env.home().resolve(".config");
      path = base.resolve("strongroom").resolve("config.properties");
      if (!Files.isRegularFile(path)) {
        return path; // the default file is optional
      }
    }
    try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      into.load(r);
    } catch (NoSuchFileException e) {
      throw new CliException("USAGE", ExitCodes.USAGE, "config file " + path + ": no such file");
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException(
          "USAGE", ExitCodes.USAGE, "config file " + path + ": " + e.getMessage(), e);
    }
    for (String k : into.stringPropertyNames()) {
      if (!Set.of("addr", "token", "token-file", "cacert", "tenant").contains(k)) {
        warn.accept("config file " + path + ": unknown setting '" + k + "' ignored");
      }
    }
    if (into.getProperty("token") != null) {
      warnIfShared(path, warn);
    }
    return path;
  }

  private static String readToken(Path file, Consumer<String> warn) {
    try {
      String t = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (t.isEmpty()) {
        throw new CliException("USAGE", ExitCodes.USAGE, "token file " + file + " is empty");
      }
      warnIfShared(file, warn);
      return t;
    } catch (IOException e) {
      throw CliException.io("token file " + file, e);
    }
  }

  /** Warns when a file holding a token may be read by other users (like ssh does for keys). */
  private static void warnIfShared(Path file, Consumer<String> warn) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      if (p.contains(PosixFilePermission.GROUP_READ)
          || p.contains(PosixFilePermission.OTHERS_READ)) {
        warn.accept(file + " holds a token and may be read by other users; chmod 600 it");
      }
    } catch (IOException | UnsupportedOperationException e) {
      // not a POSIX file system: nothing to check
    }
  }

  static URI parseAddr(String addr) {
    String a = addr.strip();
    if (!a.contains("://")) {
      a = "https://" + a;
    }
    URI uri;
    try {
      uri = URI.create(a);
    } catch (IllegalArgumentException e) {
      throw new CliException("USAGE", ExitCodes.USAGE, "invalid server address '" + addr + "'");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") || uri.getHost() == null) {
      throw new CliException(
          "USAGE",
          ExitCodes.USAGE,
          "invalid server address '" + addr + "': expected https://HOST[:PORT]");
    }
    return uri;
  }

  private static String first(String a, String b, String c) {
    for (String s : new String[] {a, b, c}) {
      if (blankToNull(s) != null) {
        return s.strip();
      }
    }
    return null;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
