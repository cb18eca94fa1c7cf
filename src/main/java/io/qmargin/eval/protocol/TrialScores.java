package io.qmargin.eval.protocol;

import io.qmargin.UserInputException;
import io.qmargin.eval.Progress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Scores for a {@link TrialList} read from a separate score file, in one of two layouts:
 * {@code enroll_id test_id score} (matched to the trials by the id pair, in any order, as written by
 * Kaldi/wespeaker scorers) or a single {@code score} column aligned line by line with the trials.
 */
public final class TrialScores {
  private TrialScores() {}

  public static double[] read(Path scoreFile, TrialList trials, Progress progress) {
    Map<String, Double> byPair = null;
    double[] aligned = new double[trials.size()];
    int count = 0;
    try (Progress p = progress.start("reading " + scoreFile.getFileName(), LabeledScores.sizeOf(scoreFile));
        TextScanner sc = new TextScanner(scoreFile, p)) {
      while (sc.next()) {
        if (count == 0 && byPair == null && sc.fieldCount() == 3) {
          byPair = new HashMap<>(trials.size() * 2);
        }
        if (byPair != null) {
          sc.expectFields(3, "enroll_id test_id score");
          double s = sc.finiteDouble(2, "score");
          Double old = byPair.put(pairKey(sc.field(0), sc.field(1)), s);
          if (old != null && old != s) {
            throw sc.error("trial '" + sc.field(0) + " " + sc.field(1) + "' scored twice with different scores");
          }
        } else {
          sc.expectFields(1, "score");
          if (count >= aligned.length) {
            throw sc.error("more scores than the " + trials.size() + " trials of " + trials.file());
          }
          aligned[count] = sc.finiteDouble(0, "score");
        }
        count++;
      }
    }
    if (byPair == null) {
      if (count != trials.size()) {
        throw new UserInputException(scoreFile + ": " + count + " scores for the " + trials.size() + " trials of " + trials.file());
      }
      return aligned;
    }
    for (int i = 0; i < trials.size(); i++) {
      Double s = byPair.get(pairKey(trials.enroll().get(i), trials.test().get(i)));
      if (s == null) {
        throw new UserInputException(trials.where(i) + ": no score for trial '" + trials.enroll().get(i) + " " + trials.test().get(i) + "' in " + scoreFile);
      }
      aligned[i] = s;
    }
    return aligned;
  }

  private static String pairKey(String a, String b) {
    return a + '\u0000' + b;
  }
}
