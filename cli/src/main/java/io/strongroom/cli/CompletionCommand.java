package io.strongroom.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;

/** {@code strongroom completion}: the bash (and zsh) completion script. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Print a bash completion script (zsh too, with bashcompinit).",
      "Load it in the current shell with:",
      "  source <(strongroom completion)",
      "or install it, e.g.: strongroom completion > /etc/bash_completion.d/strongroom"
    })
final class CompletionCommand extends BaseCommand {
  @Override
  void run() {
    String script = AutoComplete.bash("strongroom", spec.root().commandLine());
    out().out().print(script);
    out().out().flush();
  }
}
