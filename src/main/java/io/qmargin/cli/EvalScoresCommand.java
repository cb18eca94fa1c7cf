package io.qmargin.cli;

import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.StreamingMetrics;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.protocol.LabeledScores;
import io.qmargin.eval.report.SystemResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Metrics of score files ({@code score label} or {@code enroll test score label} per line); several
 * files are compared in one report.
 */
@Command(
    name = "scores",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate score files: one trial per line 'score label' or wespeaker's 'enroll test score target|nontarget'",
      "(one layout per file), label 1/0/target/nontarget; '#' at the start of a line or after whitespace starts",
      "a comment.",
      "Several inputs (optionally NAME=FILE) are drawn in the same plots and report."
    })
public final class EvalScoresCommand implements Callable<Integer>, QmarginCli.MemoryAdvice {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "[NAME=]FILE", description = "Score files.")
  List<String> inputs;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
  Path out;

  @Option(
      names = "--title",
      description = "Title of the plots and report (default: the input names).")
  String title;

  @Option(
      names = "--streaming",
      description = "Exact external-sort mode for score files larger than memory.")
  boolean streaming;

  @Option(
      names = "--chunk-scores",
      defaultValue = "0",
      hidden = true,
      description =
          "Scores per sorted run in --streaming mode (default: sized from the Java heap).")
  int chunkScores;

  @Mixin MetricOptionsMixin metricOptions;

  @Override
  public String whenOutOfMemory() {
    return streaming
        ? ""
        : "; or use --streaming, which sorts the scores on disk and runs in a small heap";
  }

  @Override
  public Integer call() throws Exception {
    MetricOptions opts = metricOptions.toOptions();
    List<SystemResult> systems = new ArrayList<>();
    ConsoleProgress progress = EvalSupport.progress();
    for (String in : inputs) {
      String[] np = EvalSupport.namedInput(in);
      Path file = Path.of(np[1]);
      VerificationMetrics m;
      if (streaming) {
        m =
            chunkScores > 0
                ? StreamingMetrics.computeFromScoreFile(file, opts, chunkScores, progress)
                : StreamingMetrics.computeFromScoreFile(file, opts, progress);
      } else {
        LabeledScores s = LabeledScores.readScoreFile(file, progress);
        m = VerificationMetrics.computeInPlace(s.targets(), s.nontargets(), opts);
      }
      systems.add(new SystemResult(np[0], m));
    }
    String t =
        title != null
            ? title
            : String.join(", ", systems.stream().map(SystemResult::name).toList());
    EvalSupport.report(out, systems, t, spec.commandLine().getOut());
    return 0;
  }
}
