package io.strongroom.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The input and output of {@code encrypt} and {@code decrypt}: files, or stdin and stdout. */
final class StreamFiles {
  private StreamFiles() {}

  /** An opened input and its size when known (a regular file), else -1. */
  record Source(InputStream stream, long size, String name) {}

  static Source openInput(Environment env, String in) {
    if (in == null || in.equals("-")) {
      return new Source(new NonClosing(env.stdin()), -1, "stdin");
    }
    Path p = env.resolve(in);
    try {
      long size = Files.isRegularFile(p) ? Files.size(p) : -1;
      return new Source(Files.newInputStream(p), size, p.toString());
    } catch (IOException e) {
      throw CliException.io("cannot read " + p, e);
    }
  }

  /**
   * Where the output goes. A file is written to a temporary file next to it (mode 0600) and renamed
   * into place only by {@link #commit()}, so that a failure (a tampered message, a lost connection)
   * leaves neither partial plaintext nor a truncated message behind, and {@code --in} and {@code
   * --out} may name the same file.
   */
  static final class Sink implements AutoCloseable {
    private final Environment env;
    private final Path target;
    private final Path temp;
    private final OutputStream stream;
    private boolean committed;

    private Sink(Environment env, Path target, Path temp, OutputStream stream) {
      this.env = env;
      this.target = target;
      this.temp = temp;
      this.stream = stream;
    }

    static Sink open(Environment env, String out) {
      if (out == null || out.equals("-")) {
        return new Sink(env, null, null, new NonClosingOut(env.stdout()));
      }
      Path target = env.resolve(out).toAbsolutePath();
      Path dir = target.getParent();
      try {
        if (Files.isDirectory(target)) {
          throw new CliException(
              "IO_ERROR", ExitCodes.CLIENT, "cannot write " + target + ": is a directory");
        }
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
        return new Sink(env, target, temp, Files.newOutputStream(temp));
      } catch (IOException e) {
        throw CliException.io("cannot write " + target, e);
      }
    }

    OutputStream stream() {
      return stream;
    }

    String name() {
      return target == null ? "stdout" : target.toString();
    }

    /** Flushes, and moves a file into place. */
    void commit() throws IOException {
      stream.close();
      if (target != null) {
        try {
          Files.move(
              temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } else {
        env.stdout().flush();
      }
      committed = true;
    }

    @Override
    public void close() {
      if (!committed && temp != null) {
        try {
          stream.close();
        } catch (IOException e) {
          // removing it below is what matters
        }
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          // best effort
        }
      }
    }
  }

  /** Standard input, not closed with the command (the process owns it). */
  private static final class NonClosing extends java.io.FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }

  /** Standard output, flushed but not closed with the command. */
  private static final class NonClosingOut extends FilterOutputStream {
    NonClosingOut(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
