package io.qmargin.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.UserInputException;
import io.qmargin.eval.compare.PairedBootstrap;
import io.qmargin.eval.compare.PairedScoreFiles;
import io.qmargin.eval.compare.PairedTrials;
import io.qmargin.eval.protocol.LabeledScores;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import io.qmargin.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's primary held-out protocol, trial by trial, kept in its run directory so that runs can be
 * compared trial by trial (paired bootstrap) even when a resume finds them finished. Files: {@code
 * heldout-scores.npy} (float64, the target scores then the non-target scores, each in the
 * protocol's trial order) and {@code heldout.json} ({@code protocol}, {@code targets}, {@code
 * nontargets}, and {@code labels}: the identity of each sample of an all-pairs protocol, null for
 * other protocols).
 *
 * @param result the protocol's scores and metrics
 * @param labels identity of each sample of an all-pairs protocol ({@link
 *     io.qmargin.eval.protocol.AllPairs}); null when the protocol is not all pairs
 */
public record HeldOutTrials(ValidationResult result, int[] labels) {
  static final String SCORES = "heldout-scores.npy";
  static final String INFO = "heldout.json";

  /**
   * The primary protocol of a fresh run: its result with the most non-target trials, and the labels
   * of the validator that produced it when that one is all pairs.
   */
  static HeldOutTrials of(List<ValidationResult> results, List<Validator> validators) {
    ValidationResult primary = LossComparison.primary(results);
    int[] labels = null;
    for (Validator v : validators) {
      if (v instanceof AllPairsValidator a && a.description().equals(primary.protocol())) {
        labels = a.labels();
      }
    }
    return new HeldOutTrials(primary, labels);
  }

  void write(Path runDir) throws IOException {
    LabeledScores s = result.scores();
    double[] all = Arrays.copyOf(s.targets(), s.targets().length + s.nontargets().length);
    System.arraycopy(s.nontargets(), 0, all, s.targets().length, s.nontargets().length);
    Npy.writeFloat64(runDir.resolve(SCORES), all, all.length);
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("protocol", result.protocol());
    info.put("targets", s.targets().length);
    info.put("nontargets", s.nontargets().length);
    info.put("labels", labels);
    AtomicFiles.writeString(runDir.resolve(INFO), Json.pretty(info));
  }

  /** Reads what {@link #write} left in a finished run, with metrics at {@code fars}. */
  static HeldOutTrials read(Path runDir, List<Double> fars) throws IOException {
    Path infoFile = runDir.resolve(INFO);
    if (!Files.isRegularFile(infoFile)) {
      throw new UserInputException(
          runDir
              + " is finished but has no "
              + INFO
              + " (its held-out scores were never written): delete the folder to train it again");
    }
    JsonNode info = RunDirectory.readJsonObject(infoFile);
    int targets = info.path("targets").asInt();
    Npy.Array a = Npy.read(runDir.resolve(SCORES));
    if (a.size() != targets + info.path("nontargets").asLong()) {
      throw new UserInputException(
          runDir.resolve(SCORES) + ": " + a.size() + " scores, " + infoFile + " says otherwise");
    }
    double[] tg = new double[targets];
    double[] nt = new double[(int) a.size() - targets];
    for (int i = 0; i < tg.length; i++) {
      tg[i] = a.getDouble(i);
    }
    for (int i = 0; i < nt.length; i++) {
      nt[i] = a.getDouble(targets + i);
    }
    String protocol = info.path("protocol").asText();
    int[] labels = null;
    if (info.path("labels").isArray()) {
      labels = new int[info.get("labels").size()];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = info.get("labels").get(i).asInt();
      }
    }
    return new HeldOutTrials(
        ValidationResult.of(protocol, LabeledScores.of(protocol, tg, nt), fars, null), labels);
  }

  /**
   * The systems' trials, aligned: targets then non-targets. Subjects are the sample labels of an
   * all-pairs protocol (the enroll side is sample i, the test side sample j, of pair i &lt; j);
   * without labels each trial is its own subject and only trials can be resampled.
   */
  static PairedScoreFiles.Paired paired(List<HeldOutTrials> systems, String[] names) {
    HeldOutTrials first = systems.get(0);
    double[][] scores = new double[systems.size()][];
    for (int s = 0; s < scores.length; s++) {
      HeldOutTrials h = systems.get(s);
      if (!h.result().protocol().equals(first.result().protocol())
          || !Arrays.equals(h.labels(), first.labels())
          || h.result().scores().targets().length != first.result().scores().targets().length) {
        throw new IllegalStateException(
            names[s] + " was validated on other trials than " + names[0]);
      }
      LabeledScores ls = h.result().scores();
      scores[s] = Arrays.copyOf(ls.targets(), ls.targets().length + ls.nontargets().length);
      System.arraycopy(ls.nontargets(), 0, scores[s], ls.targets().length, ls.nontargets().length);
    }
    int targets = first.result().scores().targets().length;
    boolean[] isTarget = new boolean[scores[0].length];
    Arrays.fill(isTarget, 0, targets, true);
    if (first.labels() == null) {
      return new PairedScoreFiles.Paired(
          PairedTrials.withoutSubjects(isTarget, names, scores), PairedBootstrap.Unit.TRIALS);
    }
    int[][] sides = allPairsSubjects(first.labels());
    int subjects = (int) Arrays.stream(first.labels()).distinct().count();
    return new PairedScoreFiles.Paired(
        new PairedTrials(sides[0], sides[1], isTarget, subjects, names, scores),
        PairedBootstrap.Unit.SUBJECTS);
  }

  /**
   * Subjects of the enroll and test side of every all-pairs trial, targets first then non-targets,
   * each in the order of pairs (i, j), i &lt; j: the order of {@link
   * io.qmargin.eval.protocol.AllPairs#score}. Labels are renumbered 0.. in order of first sight.
   */
  static int[][] allPairsSubjects(int[] labels) {
    Map<Integer, Integer> ids = new HashMap<>();
    int[] subject = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      subject[i] = ids.computeIfAbsent(labels[i], k -> ids.size());
    }
    int n = labels.length;
    long total = (long) n * (n - 1) / 2;
    int[] enroll = new int[Math.toIntExact(total)];
    int[] test = new int[enroll.length];
    int k = 0;
    for (boolean target : new boolean[] {true, false}) {
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          if ((labels[i] == labels[j]) == target) {
            enroll[k] = subject[i];
            test[k++] = subject[j];
          }
        }
      }
    }
    return new int[][] {enroll, test};
  }
}
