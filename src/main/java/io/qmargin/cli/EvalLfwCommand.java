package io.qmargin.cli;

import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.protocol.Embeddings;
import io.qmargin.eval.protocol.IdentityOverlap;
import io.qmargin.eval.protocol.KFoldAccuracy;
import io.qmargin.eval.protocol.LabeledScores;
import io.qmargin.eval.protocol.LfwPairs;
import io.qmargin.eval.report.SystemResult;
import io.qmargin.io.AtomicFiles;
import io.qmargin.train.TrainingIdentities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** LFW pairs.txt: cosine scores, the 10-fold accuracy and the full metrics. */
@Command(
    name = "lfw",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate LFW pairs.txt (10 folds of 300 matched + 300 mismatched pairs) from embeddings.",
      "Keys may be 'Name/Name_0001.jpg' or 'Name_0001'. Leads with the 10-fold accuracy +- std",
      "(threshold chosen on 9 folds, applied to the 10th; a one-fold file such as pairsDevTest.txt is cut",
      "into 10 folds of consecutive pairs) besides the usual metrics. --trained-on warns when pairs",
      "involve identities the model was trained on."
    })
public final class EvalLfwCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--pairs", required = true, paramLabel = "FILE", description = "LFW pairs.txt.")
  Path pairs;

  @Option(
      names = "--embeddings",
      required = true,
      paramLabel = "NPY",
      description = "Embeddings (N, d) .npy.")
  Path embeddings;

  @Option(
      names = "--keys",
      required = true,
      paramLabel = "FILE",
      description = "One image id per line, naming the rows of --embeddings.")
  Path keys;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
  Path out;

  @Option(
      names = "--name",
      defaultValue = "LFW",
      description = "System name in the report (default: ${DEFAULT-VALUE}).")
  String name;

  @Option(
      names = "--trained-on",
      paramLabel = "RUN|FILE",
      description =
          "The model's training identities: a run directory (its identities.txt) or a list of names (one per line; LFW people files too). Pairs involving them are counted in a warning.")
  Path trainedOn;

  @Mixin MetricOptionsMixin metricOptions;

  @Override
  public Integer call() throws Exception {
    LfwPairs p = LfwPairs.read(pairs);
    Map<String, Object> extras = new LinkedHashMap<>();
    if (trainedOn != null) {
      IdentityOverlap o = p.overlap(TrainingIdentities.read(trainedOn));
      extras.put("pairs_with_training_identities", o.pairsWithTrained());
      if (o.any()) {
        String by =
            Files.isDirectory(trainedOn)
                ? "the run " + trainedOn + " trained on"
                : "listed in " + trainedOn;
        spec.commandLine().getErr().println(o.warning(pairs.toString(), by));
        spec.commandLine().getErr().flush();
      }
    }
    double[] s = p.score(Embeddings.read(embeddings, keys));
    String lead = null;
    if (p.accuracyFolds() >= 2) {
      KFoldAccuracy acc =
          KFoldAccuracy.compute(
              pairs.toString(), s, p.isTarget(), p.accuracyFold(), p.accuracyFolds());
      lead =
          name
              + " "
              + acc.headline()
              + (p.folds() > 1 ? "" : " (folds of consecutive pairs: the file has one fold)");
      extras.put("lfw_accuracy", acc.mean());
      extras.put("lfw_accuracy_std", acc.std());
      extras.put("lfw_fold_accuracy", acc.foldAccuracy());
      extras.put("lfw_fold_threshold", acc.foldThreshold());
    }
    StringBuilder sb = new StringBuilder("# score label fold (from " + pairs + ")\n");
    for (int i = 0; i < s.length; i++) {
      sb.append(s[i])
          .append(' ')
          .append(p.isTarget()[i] ? 1 : 0)
          .append(" # fold ")
          .append(p.accuracyFold()[i] + 1)
          .append('\n');
    }
    LabeledScores ls = LabeledScores.split(pairs.toString(), s, p.isTarget());
    VerificationMetrics m =
        VerificationMetrics.computeInPlace(
            ls.targets(), ls.nontargets(), metricOptions.toOptions());
    EvalSupport.report(
        out,
        List.of(new SystemResult(name, m, extras)),
        name,
        lead,
        spec.commandLine().getOut(),
        stage -> AtomicFiles.writeString(stage.resolve("scores.txt"), sb.toString()));
    return 0;
  }
}
