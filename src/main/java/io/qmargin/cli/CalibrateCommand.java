package io.qmargin.cli;

import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.protocol.LabeledScores;
import io.qmargin.eval.report.EvaluationReport;
import io.qmargin.eval.report.Numbers;
import io.qmargin.serve.Calibration;
import io.qmargin.serve.ModelFingerprint;
import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.OperatingPointFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qmargin calibrate}: the operating point (threshold) of an evaluation at a target FAR. */
@Command(
    name = "calibrate",
    mixinStandardHelpOptions = true,
    description = {
      "Choose a verifier's threshold for a target FAR from an evaluation: the strict TAR@FAR point",
      "(of the thresholds whose FAR is at most the target, the one with the largest TAR), with the",
      "impostor count, the TAR and its 95% interval, and the model's fingerprint. Writes OP.json for",
      "qmargin serve. A FAR below 1/impostors is refused, with the number of impostors it needs.",
      "--eval takes a directory written by 'qmargin eval' (one system; the FAR must be among its",
      "--far targets); --scores a score file as 'qmargin eval scores' reads it."
    })
final class CalibrateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  static final class Input {
    @Option(names = "--eval", paramLabel = "DIR", description = "An evaluation directory.")
    Path eval;

    @Option(
        names = "--scores",
        paramLabel = "FILE",
        description = "A score file ('score label' or 'enroll test score target|nontarget').")
    Path scores;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  @Option(
      names = "--far",
      required = true,
      paramLabel = "FAR",
      description = "Target FAR, e.g. 1e-4.")
  double far;

  @Option(
      names = "--model",
      paramLabel = "MODEL",
      description =
          "The run directory (or model folder or file) the scores came from; its fingerprint goes"
              + " into OP.json so that serve refuses another model.")
  Path model;

  @Option(names = "--out", required = true, paramLabel = "OP.json", description = "Output file.")
  Path out;

  @Override
  public Integer call() throws Exception {
    MetricOptions options =
        UserInputException.whenInvalid(() -> MetricOptions.defaults().withFarTargets(List.of(far)));
    String modelId = model == null ? null : ModelFingerprint.of(model);
    VerificationMetrics metrics;
    String source;
    if (input.eval != null) {
      source = input.eval.toString();
      metrics = EvaluationReport.read(input.eval, null).metrics();
    } else {
      source = input.scores.toString();
      LabeledScores s = LabeledScores.readScoreFile(input.scores, EvalSupport.progress());
      metrics = VerificationMetrics.computeInPlace(s.targets(), s.nontargets(), options);
    }
    OperatingPoint op = Calibration.at(metrics, far, modelId, source);
    OperatingPointFile.write(out, op);
    PrintWriter w = spec.commandLine().getOut();
    w.printf(
        Locale.ROOT,
        "threshold %s at FAR %s: TAR %s [%s, %s], FAR %s (%d impostor, %d genuine scores)%n",
        Double.toString(op.threshold()),
        Numbers.key(op.targetFar()),
        Numbers.percent(op.tar()),
        Numbers.percent(op.tarLow()),
        Numbers.percent(op.tarHigh()),
        Numbers.num(op.far()),
        op.impostors(),
        op.genuines());
    w.println(
        model == null
            ? "no --model: the operating point names no model"
            : "model " + op.modelId() + " (" + model + ")");
    w.println("wrote " + out);
    w.flush();
    return 0;
  }
}
