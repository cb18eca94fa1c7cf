package io.qmargin.eval.protocol;

import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.io.TextScanner;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Scores for a {@link TrialList} read from a separate score file, in one of three layouts, detected
 * from the first data line (every line must then have as many fields): {@code enroll_id test_id
 * score} (as written by Kaldi scorers and {@code eval trials}) or wespeaker's {@code enroll_id
 * test_id score target|nontarget}, both matched to the trials by the id pair in any order
 * (wespeaker's label must agree with the trial list's), or a single {@code score} column aligned
 * line by line with the trials.
 */
public final class TrialScores {
  private TrialScores() {}

  private static final String ACCEPTED =
      "accepted layouts: 'enroll test score', 'enroll test score target|nontarget' (wespeaker) or one 'score' per trial";

  public static double[] read(Path scoreFile, TrialList trials, Progress progress) {
    Map<String, Double> byPair = null;
    Map<String, Boolean> labels = null;
    double[] aligned = new double[trials.size()];
    int fields = 0;
    int count = 0;
    try (Progress p =
            progress.start("reading " + scoreFile.getFileName(), LabeledScores.sizeOf(scoreFile));
        TextScanner sc = new TextScanner(scoreFile, p)) {
      while (sc.next()) {
        if (count == 0) {
          fields = sc.fieldCount();
          if (fields != 1 && fields != 3 && fields != 4) {
            throw sc.error(fields + " fields; " + ACCEPTED);
          }
          if (fields > 1) {
            byPair = new HashMap<>(trials.size() * 2);
          }
          if (fields == 4) {
            labels = new HashMap<>(trials.size() * 2);
          }
        }
        if (sc.fieldCount() != fields) {
          throw sc.error(
              "expected "
                  + fields
                  + " fields as on the file's first line, got "
                  + sc.fieldCount()
                  + " ("
                  + ACCEPTED
                  + ", one per file)");
        }
        if (byPair != null) {
          double s = sc.finiteDouble(2, "score");
          String key = pairKey(sc.field(0), sc.field(1));
          Double old = byPair.put(key, s);
          if (old != null && old != s) {
            throw sc.error(
                "trial '"
                    + sc.field(0)
                    + " "
                    + sc.field(1)
                    + "' scored twice with different scores");
          }
          if (labels != null) {
            labels.put(key, sc.label(3));
          }
        } else {
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
        throw new UserInputException(
            scoreFile
                + ": "
                + count
                + " scores for the "
                + trials.size()
                + " trials of "
                + trials.file());
      }
      return aligned;
    }
    for (int i = 0; i < trials.size(); i++) {
      String key = pairKey(trials.enroll().get(i), trials.test().get(i));
      Double s = byPair.get(key);
      if (s == null) {
        throw new UserInputException(
            trials.where(i)
                + ": no score for trial '"
                + trials.enroll().get(i)
                + " "
                + trials.test().get(i)
                + "' in "
                + scoreFile);
      }
      if (labels != null && labels.get(key) != trials.isTarget()[i]) {
        throw new UserInputException(
            trials.where(i)
                + ": trial '"
                + trials.enroll().get(i)
                + " "
                + trials.test().get(i)
                + "' is "
                + (trials.isTarget()[i] ? "a target" : "a non-target")
                + " trial, but "
                + scoreFile
                + " labels it "
                + (labels.get(key) ? "target" : "nontarget"));
      }
      aligned[i] = s;
    }
    return aligned;
  }

  private static String pairKey(String a, String b) {
    return a + '\u0000' + b;
  }
}
