package io.qmargin.cli;

import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.norm.ScoreNormalization;
import io.qmargin.eval.protocol.CosineScoring;
import io.qmargin.eval.protocol.Embeddings;
import io.qmargin.eval.protocol.LabeledScores;
import io.qmargin.eval.protocol.TrialList;
import io.qmargin.eval.protocol.TrialScores;
import io.qmargin.eval.report.SystemResult;
import io.qmargin.io.AtomicFiles;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * VoxCeleb- or Kaldi-style trial lists, scored from a score file or from embeddings (cosine,
 * optional cohort normalisation).
 */
@Command(
    name = "trials",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate a trial list 'label enroll_id test_id' (VoxCeleb veri_test2.txt, List_E, List_H) or",
      "'enroll_id test_id target|nontarget' (Kaldi, wespeaker's vox1_O_cleaned.kaldi); the layout is detected per file.",
      "Scores come from --scores ('enroll test score' or wespeaker's 'enroll test score target|nontarget'",
      "lines, or one score per trial line) or from --embeddings/--keys (cosine scoring; then",
      "DIR/scores.txt holds 'enroll test score'). Score normalisation (--norm z|t|s|as) needs --cohort",
      "embeddings; --subtract-mean subtracts a mean embedding from every embedding (and cohort entry) first."
    })
public final class EvalTrialsCommand implements Callable<Integer> {
  /** The --subtract-mean value that takes the mean of the cohort. */
  static final String MEAN_OF_COHORT = "cohort";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TRIALS", description = "Trial list.")
  Path trialsFile;

  @Option(names = "--scores", paramLabel = "FILE", description = "Scores of the trials.")
  Path scores;

  @Option(names = "--embeddings", paramLabel = "NPY", description = "Embeddings (N, d) .npy.")
  Path embeddings;

  @Option(
      names = "--keys",
      paramLabel = "FILE",
      description = "One id per line, naming the rows of --embeddings.")
  Path keys;

  @Option(
      names = "--norm",
      defaultValue = "none",
      paramLabel = "METHOD",
      description = "Score normalisation: none, z, t, s, as (default: ${DEFAULT-VALUE}).")
  String norm;

  @Option(
      names = "--cohort",
      paramLabel = "NPY",
      description = "Cohort embeddings (C, d) .npy for --norm.")
  Path cohort;

  @Option(
      names = "--subtract-mean",
      paramLabel = "NPY|cohort",
      description =
          "Subtract a mean embedding before cosine scoring and normalisation, as wespeaker does: a .npy of shape (d), or 'cohort' for the mean of --cohort.")
  String subtractMean;

  @Option(
      names = "--top-n",
      defaultValue = "300",
      description = "Cohort entries per side for AS-norm (default: ${DEFAULT-VALUE}).")
  int topN;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
  Path out;

  @Option(
      names = "--name",
      description = "System name in the report (default: the trial file name).")
  String name;

  @Mixin MetricOptionsMixin metricOptions;

  @Override
  public Integer call() throws Exception {
    ScoreNormalization.Method method = ScoreNormalization.Method.parse(norm);
    if ((scores == null) == (embeddings == null)) {
      throw new UserInputException("give either --scores or --embeddings (with --keys)");
    }
    if (embeddings != null && keys == null) {
      throw new UserInputException("--embeddings needs --keys (one id per row)");
    }
    if (method != ScoreNormalization.Method.NONE && (embeddings == null || cohort == null)) {
      throw new UserInputException("--norm " + norm + " needs --embeddings and --cohort");
    }
    if (subtractMean != null && embeddings == null) {
      throw new UserInputException(
          "--subtract-mean needs --embeddings (it changes the embeddings, not given scores)");
    }
    if (MEAN_OF_COHORT.equals(subtractMean) && cohort == null) {
      throw new UserInputException("--subtract-mean cohort needs --cohort");
    }
    ConsoleProgress progress = EvalSupport.progress();
    TrialList trials = TrialList.read(trialsFile, progress);
    double[] s;
    Map<String, Object> extras = new LinkedHashMap<>();
    if (scores != null) {
      s = TrialScores.read(scores, trials, progress);
    } else {
      Embeddings emb = Embeddings.read(embeddings, keys);
      Embeddings coh = cohort == null ? null : readCohort(cohort);
      if (subtractMean != null) {
        boolean ofCohort = MEAN_OF_COHORT.equals(subtractMean);
        double[] mean = ofCohort ? coh.mean() : Embeddings.readMean(Path.of(subtractMean));
        String source = ofCohort ? cohort.toString() : subtractMean;
        emb = emb.minus(mean, source);
        coh = coh == null ? null : coh.minus(mean, source);
        extras.put("subtract_mean", ofCohort ? "cohort mean (" + cohort + ")" : subtractMean);
      }
      emb = emb.normalized();
      int[][] idx = CosineScoring.resolve(trials, emb);
      s = CosineScoring.score(emb, idx[0], idx[1]);
      if (method != ScoreNormalization.Method.NONE) {
        coh = coh.normalized();
        s =
            ScoreNormalization.apply(
                new ScoreNormalization.Config(method, topN), emb, idx[0], idx[1], s, coh, progress);
        extras.put("score_norm", method.name().toLowerCase(java.util.Locale.ROOT) + "-norm");
        if (method == ScoreNormalization.Method.AS) {
          extras.put("score_norm_top_n", Math.min(topN, coh.size()));
        }
        extras.put("cohort_size", coh.size());
      }
    }
    LabeledScores ls = LabeledScores.split(trialsFile.toString(), s, trials.isTarget());
    VerificationMetrics m =
        VerificationMetrics.computeInPlace(
            ls.targets(), ls.nontargets(), metricOptions.toOptions());
    String n = name != null ? name : EvalSupport.namedInput(trialsFile.toString())[0];
    double[] computed = s; // scores computed from embeddings are written with the report
    EvalSupport.report(
        out,
        List.of(new SystemResult(n, m, extras)),
        n,
        null,
        spec.commandLine().getOut(),
        stage -> {
          if (scores == null) {
            writeScores(stage.resolve("scores.txt"), trials, computed);
          }
        });
    return 0;
  }

  /** Cohort embeddings: rows of an .npy without keys (named cohort0, cohort1, ... in messages). */
  private static Embeddings readCohort(Path file) {
    float[][] c = new float[1][];
    int[] shape = Embeddings.readMatrix(file, c);
    String[] ck = new String[shape[0]];
    for (int i = 0; i < ck.length; i++) {
      ck[i] = "cohort" + i;
    }
    return Embeddings.of(file, ck, c[0], shape[1], file.toString());
  }

  static void writeScores(Path file, TrialList trials, double[] s) throws java.io.IOException {
    AtomicFiles.write(
        file,
        o -> {
          Writer w = new OutputStreamWriter(o, StandardCharsets.UTF_8);
          StringBuilder sb = new StringBuilder();
          for (int i = 0; i < s.length; i++) {
            sb.setLength(0);
            sb.append(trials.enroll().get(i))
                .append(' ')
                .append(trials.test().get(i))
                .append(' ')
                .append(s[i])
                .append('\n');
            w.write(sb.toString());
          }
          w.flush();
        });
  }
}
