package io.strongroom.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the CLI takes from the process it runs in: environment variables, the home directory and the
 * three standard streams. The real one is {@link #system()}; tests pass their own, so that commands
 * run in-process with captured output and a controlled environment.
 */
public interface Environment {
  /** An environment variable, or null when unset. */
  String getenv(String name);

  /** The user's home directory, where {@code ~/.config/strongroom/config.properties} lives. */
  Path home();

  /** The current directory, against which relative file names are resolved. */
  Path workingDir();

  /** Standard input, for {@code encrypt} and {@code decrypt} without {@code --in}. */
  InputStream stdin();

  /** Standard output (raw bytes: {@code encrypt} and {@code decrypt} write binary data here). */
  OutputStream stdout();

  /** Standard error (messages, progress bars). */
  OutputStream stderr();

  /** Whether standard error is a terminal (progress bars are drawn only then). */
  boolean stderrIsTerminal();

  /** Resolves a file name given on the command line, in the environment or in a config file. */
  default Path resolve(String file) {
    if (file.equals("~") || file.startsWith("~/")) {
      return home().resolve(file.equals("~") ? "" : file.substring(2));
    }
    return workingDir().resolve(file);
  }

  /** The process's real environment and streams. */
  static Environment system() {
    return new SystemEnvironment();
  }

  /** The real environment. */
  final class SystemEnvironment implements Environment {
    private final InputStream in = new FileInputStream(FileDescriptor.in);
    private final OutputStream out = new FileOutputStream(FileDescriptor.out);
    private final OutputStream err = new FileOutputStream(FileDescriptor.err);

    @Override
    public String getenv(String name) {
      return System.getenv(name);
    }

    @Override
    public Path home() {
      return Path.of(System.getProperty("user.home"));
    }

    @Override
    public Path workingDir() {
      return Path.of("").toAbsolutePath();
    }

    @Override
    public InputStream stdin() {
      return in;
    }

    @Override
    public OutputStream stdout() {
      return out;
    }

    @Override
    public OutputStream stderr() {
      return err;
    }

    @Override
    @SuppressWarnings("SystemConsoleNull") // handled: isTerminal() where the JDK has it
    public boolean stderrIsTerminal() {
      if ("dumb".equals(System.getenv("TERM"))) {
        return false;
      }
      // On Linux, /proc tells exactly where file descriptor 2 points; elsewhere fall back on the
      // console, which exists only when the process is attached to a terminal.
      Path fd2 = Path.of("/proc/self/fd/2");
      if (Files.isSymbolicLink(fd2)) {
        try {
          String target = Files.readSymbolicLink(fd2).toString();
          return target.startsWith("/dev/pts/")
              || target.startsWith("/dev/tty")
              || target.equals("/dev/console");
        } catch (java.io.IOException | SecurityException e) {
          return false;
        }
      }
      // JDK 22+ has a console even when redirected, and says whether it is a terminal.
      java.io.Console console = System.console();
      if (console == null) {
        return false;
      }
      try {
        return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
      } catch (ReflectiveOperationException e) {
        return true; // JDK 21: a console exists only on a terminal
      }
    }
  }
}
