package io.qmargin.cli;

import io.qmargin.bench.OperatorBenchmark;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qmargin bench operator}: the operator against the reference package's plain bisection. */
@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description = {
      "Times the alpha-divergence operator (bisection + safeguarded Newton, float32) on B rows of",
      "realistic logits (s * cos) against the plain 50-halving bisection of the reference entmax package",
      "on the same engine, and reports the max |p - p_ref| of both against a 100-halving float64 bisection."
    })
final class OperatorBenchmarkCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--rows", defaultValue = "256", description = "Rows B; default ${DEFAULT-VALUE}.")
  int rows;

  @Option(
      names = "--classes",
      split = ",",
      defaultValue = "10000,100000",
      description = "Class counts n; default ${DEFAULT-VALUE}.")
  List<Integer> classes;

  @Option(
      names = "--alpha",
      split = ",",
      defaultValue = "1.25,1.5",
      description = "Alphas; default ${DEFAULT-VALUE}.")
  List<Double> alphas;

  @Option(
      names = "--scale",
      defaultValue = "35",
      description = "Scale s of the logits; default ${DEFAULT-VALUE}.")
  double scale;

  @Option(
      names = "--repeats",
      defaultValue = "5",
      description = "Timed calls per case (median); default ${DEFAULT-VALUE}.")
  int repeats;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the synthetic cosines; default ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", paramLabel = "DIR", description = "Also write DIR/bench-operator.json.")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintWriter pw = spec.commandLine().getOut();
    var settings = new OperatorBenchmark.Settings(rows, classes, alphas, scale, repeats, seed);
    pw.printf(
        Locale.ROOT,
        "operator benchmark: B=%d, s=%.0f, float32, threads=%s, median of %d calls%n",
        rows,
        scale,
        System.getProperty("ai.djl.pytorch.num_threads", "default"),
        repeats);
    pw.flush();
    List<OperatorBenchmark.Result> results = OperatorBenchmark.run(settings, msg -> {});
    String header =
        String.format(
            Locale.ROOT,
            "%8s %6s | %11s %7s %10s | %11s %8s %10s | %7s",
            "n",
            "alpha",
            "newton s",
            "passes",
            "max err",
            "bisect s",
            "halvings",
            "max err",
            "speedup");
    pw.println(header);
    pw.println("-".repeat(header.length()));
    for (var r : results) {
      pw.printf(
          Locale.ROOT,
          "%8d %6.2f | %11.4f %7d %10.2e | %11.4f %8d %10.2e | %6.2fx%n",
          r.classes(),
          r.alpha(),
          r.operatorSeconds(),
          r.operatorPasses(),
          r.operatorMaxError(),
          r.bisectionSeconds(),
          r.bisectionHalvings(),
          r.bisectionMaxError(),
          r.speedup());
    }
    pw.flush();
    if (out != null) {
      AtomicFiles.writeString(out.resolve("bench-operator.json"), Json.pretty(results));
      pw.println("wrote " + out.resolve("bench-operator.json"));
    }
    return 0;
  }
}
