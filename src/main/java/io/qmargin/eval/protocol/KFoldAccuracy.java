package io.qmargin.eval.protocol;

import io.qmargin.UserInputException;
import java.util.Arrays;

/**
 * The k-fold verification accuracy LFW-style papers quote: for each fold, the threshold that
 * maximises accuracy on the other folds is applied to that fold; the result is the mean and the
 * (population) standard deviation of the fold accuracies.
 *
 * <p>The threshold search is exact, over every distinct training score (accept iff score >= t) and
 * the accept-nothing point; among equally accurate thresholds the highest is taken and the decision
 * boundary is placed midway between it and the next lower training score (so a test score between
 * two training scores is not decided by an arbitrary side).
 *
 * @param foldAccuracy accuracy of each fold
 * @param foldThreshold threshold used on each fold (accept iff score >= threshold)
 */
public record KFoldAccuracy(
    double mean, double std, double[] foldAccuracy, double[] foldThreshold) {

  /**
   * "10-fold accuracy 99.12% +- 0.34%": mean +- std in percent, two decimals, as insightface prints
   * them.
   */
  public String headline() {
    return String.format(
        java.util.Locale.ROOT,
        "%d-fold accuracy %.2f%% +- %.2f%%",
        foldAccuracy.length,
        100 * mean,
        100 * std);
  }

  /**
   * @param source where the pairs come from (a file, a validation set), named in errors
   */
  public static KFoldAccuracy compute(
      String source, double[] scores, boolean[] isTarget, int[] fold, int folds) {
    if (folds < 2) {
      throw new IllegalArgumentException("k-fold accuracy needs at least 2 folds, got " + folds);
    }
    double[] acc = new double[folds];
    double[] thr = new double[folds];
    for (int f = 0; f < folds; f++) {
      int nTrain = 0;
      for (int v : fold) {
        nTrain += v != f ? 1 : 0;
      }
      double[] s = new double[nTrain];
      boolean[] l = new boolean[nTrain];
      int k = 0;
      for (int i = 0; i < scores.length; i++) {
        if (fold[i] != f) {
          s[k] = scores[i];
          l[k] = isTarget[i];
          k++;
        }
      }
      thr[f] = bestThreshold(s, l);
      int correct = 0;
      int n = 0;
      for (int i = 0; i < scores.length; i++) {
        if (fold[i] == f) {
          n++;
          correct += (scores[i] >= thr[f]) == isTarget[i] ? 1 : 0;
        }
      }
      if (n == 0) {
        throw new UserInputException(
            source
                + ": fold "
                + (f + 1)
                + " of "
                + folds
                + " has no pairs; k-fold accuracy needs pairs in every fold");
      }
      acc[f] = (double) correct / n;
    }
    double mean = Arrays.stream(acc).average().orElse(Double.NaN);
    double var = 0;
    for (double a : acc) {
      var += (a - mean) * (a - mean);
    }
    return new KFoldAccuracy(mean, Math.sqrt(var / folds), acc, thr);
  }

  /** The accuracy-maximising threshold on one set (see the class comment). */
  public static double bestThreshold(double[] scores, boolean[] isTarget) {
    int n = scores.length;
    int negatives = 0;
    for (boolean b : isTarget) {
      negatives += b ? 0 : 1;
    }
    // LFW-sized sets (thousands of pairs): boxed indices are fine here
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (x, y) -> Double.compare(scores[y], scores[x]));
    long correct = negatives; // accept nothing
    long best = correct;
    double bestT = Double.POSITIVE_INFINITY;
    int bestPos = -1; // position in idx of the last score accepted at the best threshold
    int i = 0;
    while (i < n) {
      double t = scores[idx[i]];
      while (i < n && scores[idx[i]] == t) {
        correct += isTarget[idx[i]] ? 1 : -1;
        i++;
      }
      if (correct > best) {
        best = correct;
        bestT = t;
        bestPos = i - 1;
      }
    }
    if (bestPos < 0) {
      return n == 0 ? 0 : Math.nextUp(scores[idx[0]]); // accepting nothing is best
    }
    if (bestPos == n - 1) {
      return Double.NEGATIVE_INFINITY; // accepting everything is best
    }
    double next = scores[idx[bestPos + 1]];
    double mid = bestT + (next - bestT) / 2;
    return mid > next ? mid : bestT; // adjacent doubles have no midpoint
  }
}
