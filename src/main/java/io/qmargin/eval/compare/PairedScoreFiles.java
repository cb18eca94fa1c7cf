package io.qmargin.eval.compare;

import io.qmargin.UserInputException;
import io.qmargin.eval.protocol.ScoreFileLayout;
import io.qmargin.io.TextScanner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs the trials of several labelled score files (layouts of {@link ScoreFileLayout}) for a
 * {@link PairedBootstrap}. Keyed files ({@code enroll test score label}) are matched by their
 * (enroll, test) pair, in either order, to the trials of the first file, whose subjects come from
 * {@link SubjectKeys}; every file must score exactly the first file's trials with the same labels.
 * Plain {@code score label} files carry no keys: they pair line by line when all have the same
 * labels line by line, and then only trials can be resampled.
 */
public final class PairedScoreFiles {
  private PairedScoreFiles() {}

  /** The paired trials and the resampling unit they allow. */
  public record Paired(PairedTrials trials, PairedBootstrap.Unit unit) {}

  /** One file as read: keys (null for plain files), labels and scores, in file order. */
  private record Raw(Path file, String[] enroll, String[] test, boolean[] target, double[] score) {
    boolean keyed() {
      return enroll != null;
    }
  }

  /**
   * Pairs the files, or explains in {@code whyNot[0]} (and returns null) why they cannot be paired:
   * mixed layouts or plain files whose labels differ. Trials missing from a keyed file are an error
   * naming the file and the key.
   */
  public static Paired pair(
      List<String> names, List<Path> files, SubjectKeys subjects, String[] whyNot) {
    List<Raw> raws = new ArrayList<>();
    for (Path f : files) {
      raws.add(read(f));
    }
    boolean allKeyed = raws.stream().allMatch(Raw::keyed);
    boolean noneKeyed = raws.stream().noneMatch(Raw::keyed);
    String[] systems = names.toArray(new String[0]);
    Raw first = raws.get(0);
    int n = first.score().length;
    double[][] scores = new double[raws.size()][];
    if (noneKeyed) {
      for (int s = 0; s < raws.size(); s++) {
        Raw r = raws.get(s);
        if (!java.util.Arrays.equals(r.target(), first.target())) {
          whyNot[0] =
              r.file()
                  + " and "
                  + first.file()
                  + " are 'score label' files whose labels differ line by line: no paired trials";
          return null;
        }
        scores[s] = r.score();
      }
      return new Paired(
          PairedTrials.withoutSubjects(first.target(), systems, scores),
          PairedBootstrap.Unit.TRIALS);
    }
    if (!allKeyed) {
      whyNot[0] = "some score files have enroll/test keys and some do not: no paired trials";
      return null;
    }
    Map<String, Integer> index = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      if (index.put(pairKey(first.enroll()[i], first.test()[i]), i) != null) {
        throw new UserInputException(
            first.file() + ": trial " + first.enroll()[i] + " " + first.test()[i] + " repeated");
      }
    }
    scores[0] = first.score();
    for (int s = 1; s < raws.size(); s++) {
      scores[s] = aligned(raws.get(s), first, index);
    }
    Map<String, Integer> subjectIds = new HashMap<>();
    int[] e = new int[n];
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      e[i] =
          subjectIds.computeIfAbsent(subjects.subjectOf(first.enroll()[i]), k -> subjectIds.size());
      t[i] =
          subjectIds.computeIfAbsent(subjects.subjectOf(first.test()[i]), k -> subjectIds.size());
    }
    return new Paired(
        new PairedTrials(e, t, first.target(), subjectIds.size(), systems, scores),
        PairedBootstrap.Unit.SUBJECTS);
  }

  private static UserInputException trialError(Raw r, int j, String what) {
    return new UserInputException(
        r.file() + ": trial " + r.enroll()[j] + " " + r.test()[j] + " " + what);
  }

  private static double[] aligned(Raw r, Raw first, Map<String, Integer> index) {
    int n = first.score().length;
    double[] out = new double[n];
    boolean[] seen = new boolean[n];
    for (int j = 0; j < r.score().length; j++) {
      Integer i = index.get(pairKey(r.enroll()[j], r.test()[j]));
      if (i == null) {
        i = index.get(pairKey(r.test()[j], r.enroll()[j]));
      }
      if (i == null) {
        throw trialError(r, j, "is not in " + first.file());
      }
      if (seen[i]) {
        throw trialError(r, j, "repeated");
      }
      if (r.target()[j] != first.target()[i]) {
        throw trialError(r, j, "has the other label in " + first.file());
      }
      seen[i] = true;
      out[i] = r.score()[j];
    }
    for (int i = 0; i < n; i++) {
      if (!seen[i]) {
        throw new UserInputException(
            r.file()
                + ": has no score for trial "
                + first.enroll()[i]
                + " "
                + first.test()[i]
                + " of "
                + first.file());
      }
    }
    return out;
  }

  private static String pairKey(String enroll, String test) {
    return enroll + '\u0000' + test;
  }

  private static Raw read(Path file) {
    List<String> enroll = new ArrayList<>();
    List<String> test = new ArrayList<>();
    List<Boolean> target = new ArrayList<>();
    List<Double> score = new ArrayList<>();
    ScoreFileLayout layout = null;
    try (TextScanner sc = new TextScanner(file)) {
      while (sc.next()) {
        if (layout == null) {
          layout = ScoreFileLayout.detect(sc);
        }
        score.add(layout.score(sc));
        target.add(layout.label(sc));
        if (layout == ScoreFileLayout.WESPEAKER) {
          enroll.add(sc.field(0));
          test.add(sc.field(1));
        }
      }
    }
    boolean[] t = new boolean[target.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = target.get(i);
    }
    boolean keyed = layout == ScoreFileLayout.WESPEAKER;
    return new Raw(
        file,
        keyed ? enroll.toArray(new String[0]) : null,
        keyed ? test.toArray(new String[0]) : null,
        t,
        score.stream().mapToDouble(Double::doubleValue).toArray());
  }
}
