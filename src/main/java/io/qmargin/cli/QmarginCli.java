package io.qmargin.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code qmargin} command-line tool; every command is a thin layer over the
 * library.
 */
@Command(
    name = "qmargin",
    mixinStandardHelpOptions = true,
    versionProvider = QmarginCli.Version.class,
    description =
        "Sparse alpha-divergence (Q-Margin) and margin losses for face and speaker verification.",
    subcommands = {
      DemoCommand.class,
      TrainCommand.class,
      EmbedCommand.class,
      ImportCommand.class,
      ExportCommand.class,
      LossTableCommand.class,
      PosteriorCommand.class,
      EvalCommand.class,
      CalibrateCommand.class,
      FbankCommand.class,
      DataCommand.class,
      BenchCommand.class,
      ServeCommand.class,
      SparkCommand.class,
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
    avoidNativeTerminalLibrary();
    CommandLine cl = new CommandLine(new QmarginCli());
    cl.setExecutionExceptionHandler(new UserErrorHandler());
    cl.setExecutionStrategy(QmarginCli::executeReportingMemory);
    cl.getSubcommands()
        .get("posterior")
        .getCommandSpec()
        .usageMessage()
        .footer(io.qmargin.loss.LossSpec.describeAll());
    return cl;
  }

  /** jline's settings that make it create pipes and file descriptors without its native library. */
  static final List<String> JLINE_WITHOUT_NATIVE =
      List.of(
          "org.jline.terminal.exec.redirectPipeCreationMode",
          "org.jline.terminal.pty.fileDescriptorCreationMode");

  /**
   * The progress bars' terminal library (jline, through progressbar) would otherwise extract a
   * native library ({@code jlinenative-*.so} and a lock) into the temporary folder on every start,
   * which a killed JVM leaves behind; its reflection mode needs no native code. The launcher sets
   * the same properties; settings given by the user win.
   */
  static void avoidNativeTerminalLibrary() {
    for (String p : JLINE_WITHOUT_NATIVE) {
      if (System.getProperty(p) == null) {
        System.setProperty(p, "reflection");
      }
    }
  }

  /** A command that knows what to suggest when the heap runs out (appended to the message). */
  interface MemoryAdvice {
    String whenOutOfMemory();
  }

  /**
   * Runs the command; running out of heap becomes one line saying what to do (exit 2) instead of a
   * stack trace. An OutOfMemoryError is an Error, which picocli's exception handler never sees.
   */
  private static int executeReportingMemory(CommandLine.ParseResult parseResult) {
    try {
      return new CommandLine.RunLast().execute(parseResult);
    } catch (OutOfMemoryError e) {
      List<CommandLine> chain = parseResult.asCommandLineList();
      CommandLine last = chain.get(chain.size() - 1);
      String advice = last.getCommand() instanceof MemoryAdvice a ? a.whenOutOfMemory() : "";
      long mb = Runtime.getRuntime().maxMemory() >> 20;
      last.getErr()
          .println(
              "qmargin "
                  + last.getCommandName()
                  + ": error: out of memory (the Java heap is limited to "
                  + mb
                  + " MB): give the JVM more, e.g. QMARGIN_JAVA_OPTS=-Xmx"
                  + Math.max(2, 2 * mb >> 10)
                  + "g"
                  + advice);
      last.getErr().flush();
      return 2;
    }
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
