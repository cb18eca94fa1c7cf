package io.qmargin.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code qmargin} command-line tool; every command is a thin layer over the library. */
@Command(
    name = "qmargin",
    mixinStandardHelpOptions = true,
    versionProvider = QmarginCli.Version.class,
    description = "Sparse alpha-divergence (Q-Margin) and margin losses for face and speaker verification.",
    subcommands = {
      DemoCommand.class,
      TrainCommand.class,
      EmbedCommand.class,
      LossTableCommand.class,
      PosteriorCommand.class,
      EvalCommand.class,
      FbankCommand.class,
      DataCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class QmarginCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Builds the command line with all commands registered; shared by {@link #main} and tests. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new QmarginCli());
    cl.setExecutionExceptionHandler(new UserErrorHandler());
    cl.getSubcommands().get("posterior").getCommandSpec().usageMessage().footer(io.qmargin.loss.LossSpec.describeAll());
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = QmarginCli.class.getPackage().getImplementationVersion();
      return new String[] {"qmargin " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
