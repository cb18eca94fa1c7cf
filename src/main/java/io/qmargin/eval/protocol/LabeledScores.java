package io.qmargin.eval.protocol;

import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.io.TextScanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Target and non-target scores of one system, and the reader of labelled score files: one trial per
 * line, {@code score label} or wespeaker's {@code enroll test score target|nontarget} (one layout
 * per file, {@link ScoreFileLayout}), label one of 1/0/target/nontarget, {@code #} starting a
 * comment. Every score is checked to be finite; a file without targets or without non-targets is
 * rejected.
 */
public record LabeledScores(String source, double[] targets, double[] nontargets) {

  /** Reads a {@code score label} or {@code enroll test score label} file. */
  public static LabeledScores readScoreFile(Path file, Progress progress) {
    DoubleList tg = new DoubleList();
    DoubleList nt = new DoubleList();
    try (Progress p = progress.start("reading " + file.getFileName(), sizeOf(file));
        TextScanner sc = new TextScanner(file, p)) {
      ScoreFileLayout layout = null;
      while (sc.next()) {
        if (layout == null) {
          layout = ScoreFileLayout.detect(sc);
        }
        double s = layout.score(sc);
        if (layout.label(sc)) {
          tg.add(s);
        } else {
          nt.add(s);
        }
      }
    }
    return of(file.toString(), tg.toArray(), nt.toArray());
  }

  /** Checks both sets are non-empty (the message names the source) and wraps them. */
  public static LabeledScores of(String source, double[] targets, double[] nontargets) {
    if (targets.length == 0 && nontargets.length == 0) {
      throw new UserInputException(source + ": no scores (empty file?)");
    }
    if (targets.length == 0) {
      throw new UserInputException(
          source
              + ": only non-target trials ("
              + nontargets.length
              + "), no target trial: the metrics need both");
    }
    if (nontargets.length == 0) {
      throw new UserInputException(
          source
              + ": only target trials ("
              + targets.length
              + "), no non-target trial: the metrics need both");
    }
    return new LabeledScores(source, targets, nontargets);
  }

  /** Splits aligned scores and labels. */
  public static LabeledScores split(String source, double[] scores, boolean[] isTarget) {
    int nt = 0;
    for (boolean b : isTarget) {
      nt += b ? 1 : 0;
    }
    double[] t = new double[nt];
    double[] n = new double[scores.length - nt];
    int a = 0;
    int b = 0;
    for (int i = 0; i < scores.length; i++) {
      if (isTarget[i]) {
        t[a++] = scores[i];
      } else {
        n[b++] = scores[i];
      }
    }
    return of(source, t, n);
  }

  static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1; // TextScanner reports the missing file with its own message
    }
  }

  /** A growable array of doubles (no boxing). */
  static final class DoubleList {
    private double[] a = new double[1024];
    private int n;

    void add(double v) {
      if (n == a.length) {
        if (n >= Integer.MAX_VALUE - 16) {
          throw new UserInputException("more than 2^31 scores in one set: use --streaming");
        }
        a = Arrays.copyOf(a, (int) Math.min(Integer.MAX_VALUE - 16L, n * 2L));
      }
      a[n++] = v;
    }

    int size() {
      return n;
    }

    double[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
