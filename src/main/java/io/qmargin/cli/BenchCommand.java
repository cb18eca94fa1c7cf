package io.qmargin.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code qmargin bench}: the benchmarks (speed and memory are measured here, not in tests). */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks; each prints a table and can write JSON with --out.",
    subcommands = {
      OperatorBenchmarkCommand.class,
      HeadBenchmarkCommand.class,
      EvalBenchmarkCommand.class,
      FbankBenchmarkCommand.class,
      BackboneBenchmarkCommand.class,
      ServeBenchmarkCommand.class,
      ServeHttpBenchmarkCommand.class
    })
final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
