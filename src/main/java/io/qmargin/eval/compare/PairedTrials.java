package io.qmargin.eval.compare;

/**
 * Trials scored by several systems, aligned: trial i has the same enroll and test subject and the
 * same label for every system. Subjects are numbered 0..subjectCount-1; {@link PairedBootstrap}
 * resamples them.
 *
 * @param enrollSubject subject of each trial's enroll side
 * @param testSubject subject of each trial's test side
 * @param isTarget label of each trial
 * @param subjectCount number of distinct subjects
 * @param systems system names, one per row of {@code scores}
 * @param scores scores[s][i]: system s's score of trial i (finite)
 */
public record PairedTrials(
    int[] enrollSubject,
    int[] testSubject,
    boolean[] isTarget,
    int subjectCount,
    String[] systems,
    double[][] scores) {

  public PairedTrials {
    int n = isTarget.length;
    if (enrollSubject.length != n || testSubject.length != n) {
      throw new IllegalArgumentException("subjects and labels differ in length");
    }
    if (scores.length != systems.length || scores.length < 2) {
      throw new IllegalArgumentException("need one score row per system and at least two systems");
    }
    for (double[] row : scores) {
      if (row.length != n) {
        throw new IllegalArgumentException("a system has " + row.length + " scores for " + n);
      }
    }
    for (int i = 0; i < n; i++) {
      if (enrollSubject[i] < 0
          || enrollSubject[i] >= subjectCount
          || testSubject[i] < 0
          || testSubject[i] >= subjectCount) {
        throw new IllegalArgumentException("subject out of range at trial " + i);
      }
    }
  }

  /**
   * Trials without subjects (a plain {@code score label} file): each trial is its own subject on
   * both sides, and {@link PairedBootstrap.Unit#TRIALS} resampling must be used.
   */
  public static PairedTrials withoutSubjects(
      boolean[] isTarget, String[] systems, double[][] scores) {
    int[] ids = new int[isTarget.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i;
    }
    return new PairedTrials(ids, ids, isTarget, ids.length, systems, scores);
  }

  public int size() {
    return isTarget.length;
  }
}
