package io.strongroom.hsm.testing;

import io.strongroom.hsm.Pkcs11Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real SoftHSM2 for tests, created afresh in each test JVM: the build points {@code
 * SOFTHSM2_CONF} at {@code target/softhsm/softhsm2.conf}; the first call here writes that file,
 * empties the token directory and initialises every token of {@link #TOKENS} with {@code
 * softhsm2-util}. It must run before the JVM's first PKCS#11 call, because SoftHSM reads its
 * configuration and its tokens once, when the library is initialised. Nothing here skips: without
 * SoftHSM2 installed the tests fail with a message that says what to install.
 */
public final class SoftHsm {
  public static final String PIN = "1234";
  public static final String SO_PIN = "12345678";

  /**
   * Tokens every test JVM gets; a test that breaks its token uses one no other test uses. Nothing
   * logs in to {@link #NEVER_LOGGED_IN}: PKCS#11 login belongs to the whole process, so a wrong PIN
   * is only noticed by a token that no one in the JVM has logged in to.
   */
  public static final List<String> TOKENS =
      List.of(
          "strongroom-test",
          "strongroom-loss",
          "strongroom-server",
          "strongroom-extra",
          "strongroom-pin-check",
          "strongroom-bare");

  /** The token for wrong-PIN tests, which must never be logged in to successfully. */
  public static final String NEVER_LOGGED_IN = "strongroom-pin-check";

  private static Path dir;

  private SoftHsm() {}

  /** Creates the tokens once per JVM; returns the directory holding the configuration. */
  public static synchronized Path setUp() {
    if (dir != null) {
      return dir;
    }
    String conf = System.getenv("SOFTHSM2_CONF");
    if (conf == null || conf.isBlank()) {
      throw new IllegalStateException(
          "SOFTHSM2_CONF is not set: run the tests through Maven, whose surefire configuration"
              + " sets it");
    }
    library();
    try {
      Path confFile = Path.of(conf);
      Path d = confFile.getParent();
      Path tokens = d.resolve("tokens");
      deleteRecursively(tokens);
      Files.createDirectories(tokens);
      Files.writeString(
          confFile,
          "directories.tokendir = "
              + tokens.toAbsolutePath()
              + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
          StandardCharsets.US_ASCII);
      for (String label : TOKENS) {
        run(
            List.of(
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                label,
                "--so-pin",
                SO_PIN,
                "--pin",
                PIN),
            confFile);
      }
      dir = d;
      return d;
    } catch (IOException e) {
      throw new IllegalStateException("cannot set up SoftHSM2: " + e.getMessage(), e);
    }
  }

  /** The SoftHSM2 PKCS#11 library ({@code STRONGROOM_TEST_PKCS11_LIBRARY} overrides the path). */
  public static Path library() {
    String override = System.getenv("STRONGROOM_TEST_PKCS11_LIBRARY");
    Path lib = Path.of(override != null ? override : "/usr/lib/softhsm/libsofthsm2.so");
    if (!Files.isReadable(lib)) {
      throw new IllegalStateException(
          "SoftHSM2 is not installed ("
              + lib
              + " is missing): apt-get install -y softhsm2 opensc (.ci/run does this)");
    }
    return lib;
  }

  /** A configuration for one of {@link #TOKENS}, found by label, with the test PIN. */
  public static Pkcs11Config config(String tokenLabel) {
    setUp();
    return new Pkcs11Config(
        library(),
        tokenLabel,
        null,
        PIN.toCharArray(),
        4,
        Duration.ofSeconds(5),
        Pkcs11Config.DEFAULT_PROBE_LABEL);
  }

  /** The directory in which SoftHSM keeps the token labelled {@code label}. */
  public static Path tokenDirectory(String label) throws IOException {
    Path tokens = setUp().resolve("tokens");
    byte[] padded = String.format("%-32s", label).getBytes(StandardCharsets.US_ASCII);
    try (Stream<Path> dirs = Files.list(tokens)) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        Path object = d.resolve("token.object");
        if (Files.exists(object) && indexOf(Files.readAllBytes(object), padded) >= 0) {
          return d;
        }
      }
    }
    throw new IllegalStateException("no SoftHSM token directory for " + label);
  }

  /** Runs {@code pkcs11-tool} (opensc) on the token; returns its standard output. */
  public static String pkcs11Tool(String tokenLabel, String... args) throws IOException {
    List<String> cmd =
        Stream.concat(
                Stream.of(
                    "pkcs11-tool",
                    "--module",
                    library().toString(),
                    "--token-label",
                    tokenLabel,
                    "--login",
                    "--pin",
                    PIN),
                Stream.of(args))
            .toList();
    return run(cmd, Path.of(System.getenv("SOFTHSM2_CONF")));
  }

  private static String run(List<String> cmd, Path conf) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("SOFTHSM2_CONF", conf.toString());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          cmd.get(0) + " is not installed: apt-get install -y softhsm2 opensc (.ci/run does this)",
          e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd.subList(0, 2)) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return out;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> all = Files.walk(p)) {
      for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
