package io.qmargin.cli;

import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.protocol.LabeledScores;
import io.qmargin.eval.report.EvaluationReport;
import io.qmargin.eval.report.SystemResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Several systems in one report: earlier result directories and/or score files. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Compare systems in one set of plots and one report. Each input is [NAME=]PATH, where PATH is",
      "a result directory of an earlier eval command (metrics.json + roc.tsv; its stored metrics are",
      "used as they are) or a score file 'score label' or 'enroll test score target|nontarget'",
      "(evaluated with the options given here)."
    })
public final class EvalCompareCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "2..*",
      paramLabel = "[NAME=]PATH",
      description = "Result directories or score files.")
  List<String> inputs;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
  Path out;

  @Option(
      names = "--title",
      defaultValue = "comparison",
      description = "Title of the plots and report (default: ${DEFAULT-VALUE}).")
  String title;

  @Mixin MetricOptionsMixin metricOptions;

  @Override
  public Integer call() throws Exception {
    MetricOptions opts = metricOptions.toOptions();
    List<SystemResult> systems = new ArrayList<>();
    for (String in : inputs) {
      String[] np = EvalSupport.namedInput(in);
      Path p = Path.of(np[1]);
      boolean named = in.indexOf('=') > 0 && !Files.exists(Path.of(in));
      if (Files.isDirectory(p)) {
        systems.add(EvaluationReport.read(p, named ? np[0] : null));
      } else {
        LabeledScores s = LabeledScores.readScoreFile(p, EvalSupport.progress());
        VerificationMetrics m =
            VerificationMetrics.computeInPlace(s.targets(), s.nontargets(), opts);
        systems.add(new SystemResult(np[0], m));
      }
    }
    EvalSupport.report(out, systems, title, spec.commandLine().getOut());
    return 0;
  }
}
