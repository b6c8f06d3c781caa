package io.strongroom.cli;

/**
 * A failure the CLI itself detects (a file it cannot read, no token configured, ...), reported like
 * a server error: {@code error: CODE: message} and the exit code of {@link ExitCodes}.
 */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final int exitCode;

  public CliException(String code, int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.exitCode = exitCode;
  }

  public CliException(String code, int exitCode, String message) {
    this(code, exitCode, message, null);
  }

  /** A local file that cannot be read or written. */
  public static CliException io(String what, java.io.IOException e) {
    String reason =
        e instanceof java.nio.file.NoSuchFileException
            ? "no such file"
            : e instanceof java.nio.file.AccessDeniedException
                ? "permission denied"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new CliException("IO_ERROR", ExitCodes.CLIENT, what + ": " + reason, e);
  }

  public String code() {
    return code;
  }

  public int exitCode() {
    return exitCode;
  }
}
