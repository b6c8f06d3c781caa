package io.strongroom.cli;

import io.strongroom.client.StrongroomClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A leaf command: access to the root's settings, client and output. */
abstract class BaseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  Strongroom root() {
    return (Strongroom) spec.root().userObject();
  }

  StrongroomClient client() {
    return root().client();
  }

  Output out() {
    return root().output(spec);
  }

  Environment env() {
    return root().env();
  }

  String tenant(TenantOption option) {
    return root().tenant(spec, option.tenant);
  }

  @Override
  public final Integer call() throws Exception {
    run();
    return ExitCodes.OK;
  }

  abstract void run() throws Exception;

  /** A group of commands (tenant, key, ...): without a subcommand, a usage error. */
  abstract static class Group implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      throw new ParameterException(
          spec.commandLine(), "Missing required subcommand of '" + spec.qualifiedName() + "'");
    }
  }
}
