package io.strongroom.cli;

import io.strongroom.api.CryptoMessages.DataKeyResponse;
import io.strongroom.api.CryptoMessages.GenerateDataKeyRequest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code strongroom encrypt}, {@code decrypt} and {@code datakey}. */
final class CryptoCommands {
  private CryptoCommands() {}

  /** {@code --context k=v}..., shared by the crypto commands. */
  static final class ContextOption {
    @Option(
        names = {"-c", "--context"},
        paramLabel = "KEY=VALUE",
        description =
            "Encryption context: bound to the ciphertext, needed again to decrypt. Repeat for"
                + " several pairs.")
    Map<String, String> context = new LinkedHashMap<>();
  }

  /** {@code --in}, {@code --out} and {@code --no-progress}. */
  static final class FileOptions {
    @Option(
        names = {"-i", "--in"},
        paramLabel = "FILE",
        description = "Read this file (default, or '-': stdin).")
    String in;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description =
            "Write this file, replacing it only once all went well (default, or '-': stdout).")
    String out;

    @Option(
        names = "--no-progress",
        description =
            "No progress bar (one is drawn on stderr when it is a terminal and --in is a file).")
    boolean noProgress;
  }

  /**
   * A progress bar on stderr over the bytes read from the input, when stderr is a terminal, the
   * input is a file of known size and --no-progress is absent; otherwise nothing.
   */
  static final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    Progress(BaseCommand command, String task, long size, FileOptions files) {
      Environment env = command.env();
      if (files.noProgress || size < 0 || !env.stderrIsTerminal()) {
        bar = null;
        return;
      }
      PrintStream err = new PrintStream(env.stderr(), true, StandardCharsets.UTF_8);
      bar =
          new ProgressBarBuilder()
              .setTaskName(task)
              .setInitialMax(size)
              .setUnit(" MiB", 1024 * 1024)
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(250)
              .showSpeed()
              .setConsumer(new ConsoleProgressBarConsumer(err))
              .build();
    }

    boolean shown() {
      return bar != null;
    }

    /** The input, counted into the bar as it is read. */
    InputStream track(InputStream in) {
      if (bar == null) {
        return in;
      }
      return new FilterInputStream(in) {
        @Override
        public int read() throws IOException {
          int b = super.read();
          if (b >= 0) {
            bar.step();
          }
          return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
          int n = super.read(buf, off, len);
          if (n > 0) {
            bar.stepBy(n);
          }
          return n;
        }
      };
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
      }
    }
  }

  /** Copies in large chunks (the envelope body is made of 64 KiB segments). */
  static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[256 * 1024];
    for (int n; (n = in.read(buf)) != -1; ) {
      out.write(buf, 0, n);
    }
  }

  @Command(
      name = "encrypt",
      mixinStandardHelpOptions = true,
      description = {
        "Encrypt a file or stdin of any size into one envelope message.",
        "Streaming: a data key from the server encrypts the data locally and travels wrapped"
            + " inside the message, with the encryption context. Decrypt it with 'strongroom"
            + " decrypt'."
      })
  static final class Encrypt extends BaseCommand {
    @Mixin TenantOption tenant;

    @Option(
        names = {"-k", "--key"},
        paramLabel = "KEY",
        required = true,
        description = "The key that wraps the message's data key.")
    String key;

    @Mixin ContextOption context;

    @Mixin FileOptions files;

    @Override
    void run() throws IOException {
      String t = tenant(tenant);
      StreamFiles.Source source = StreamFiles.openInput(env(), files.in);
      try (InputStream in = source.stream();
          StreamFiles.Sink sink = StreamFiles.Sink.open(env(), files.out)) {
        try (Progress progress = new Progress(this, "encrypt", source.size(), files);
            OutputStream enc =
                Envelopes.encryptingStream(client(), t, key, context.context, sink.stream())) {
          copy(progress.track(in), enc);
        }
        sink.commit();
      }
    }
  }

  @Command(
      name = "decrypt",
      mixinStandardHelpOptions = true,
      description = {
        "Decrypt an envelope message made by 'strongroom encrypt' (file or stdin).",
        "The --context pairs must be exactly the message's encryption context (no --context:"
            + " the empty context), else INVALID_CIPHERTEXT (exit 5). With --out, the file"
            + " appears only once the whole message has been authenticated; on stdout, discard"
            + " the output when the exit code is not 0."
      })
  static final class Decrypt extends BaseCommand {
    @Mixin TenantOption tenant;

    @Mixin ContextOption context;

    @Option(
        names = "--any-context",
        description =
            "Accept whatever context the message carries, instead of exactly the --context"
                + " pairs (none when absent).")
    boolean anyContext;

    @Mixin FileOptions files;

    @Override
    void run() throws IOException {
      String t = tenant(tenant);
      if (anyContext && !context.context.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(), "--any-context and --context exclude each other");
      }
      Map<String, String> expected = anyContext ? null : context.context;
      StreamFiles.Source source = StreamFiles.openInput(env(), files.in);
      try (InputStream in = source.stream();
          StreamFiles.Sink sink = StreamFiles.Sink.open(env(), files.out)) {
        try (Progress progress = new Progress(this, "decrypt", source.size(), files);
            InputStream dec =
                Envelopes.decryptingStream(client(), t, expected, progress.track(in))) {
          copy(dec, sink.stream());
        }
        sink.commit();
      }
    }
  }

  @Command(
      name = "datakey",
      mixinStandardHelpOptions = true,
      description = {
        "Generate a data key: plaintext and wrapped (base64).",
        "Use the plaintext to encrypt your data, then forget it; store the wrapped form"
            + " (ciphertext) next to your data and unwrap it later with the same context."
      })
  static final class DataKey extends BaseCommand {
    @Mixin TenantOption tenant;

    @Option(
        names = {"-k", "--key"},
        paramLabel = "KEY",
        required = true,
        description = "The key that wraps the data key.")
    String key;

    @Mixin ContextOption context;

    @Option(
        names = "--bytes",
        paramLabel = "N",
        description = "Length of the data key, 16-64 bytes (default 32).")
    Integer bytes;

    @Option(
        names = "--no-plaintext",
        description = "Return only the wrapped data key (to hand to whoever will decrypt it).")
    boolean noPlaintext;

    @Override
    void run() {
      DataKeyResponse d =
          client()
              .generateDataKey(
                  tenant(tenant),
                  key,
                  new GenerateDataKeyRequest(
                      bytes, context.context.isEmpty() ? null : context.context, !noPlaintext));
      Views.dataKey(out(), d);
    }
  }
}
