package io.qmargin.eval.protocol;

import io.qmargin.eval.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A VoxCeleb-style trial list: one trial per line, {@code label enroll_id test_id} (as in
 * veri_test2.txt, List_E, List_H), label 1/0/target/nontarget. Line numbers are kept for error
 * messages about the trials.
 */
public record TrialList(Path file, List<String> enroll, List<String> test, boolean[] isTarget, long[] lines) {

  public int size() {
    return enroll.size();
  }

  public static TrialList read(Path file, Progress progress) {
    List<String> e = new ArrayList<>();
    List<String> t = new ArrayList<>();
    boolean[] lab = new boolean[1024];
    long[] lines = new long[1024];
    try (Progress p = progress.start("reading " + file.getFileName(), LabeledScores.sizeOf(file));
        TextScanner sc = new TextScanner(file, p)) {
      while (sc.next()) {
        sc.expectFields(3, "label enroll_id test_id");
        int n = e.size();
        if (n == lab.length) {
          lab = Arrays.copyOf(lab, n * 2);
          lines = Arrays.copyOf(lines, n * 2);
        }
        lab[n] = sc.label(0);
        lines[n] = sc.lineNumber();
        // Interning keeps one String per utterance: each id appears in many trials.
        e.add(sc.field(1).intern());
        t.add(sc.field(2).intern());
      }
    }
    if (e.isEmpty()) {
      throw new io.qmargin.UserInputException(file + ": no trials (empty file?)");
    }
    return new TrialList(file, e, t, Arrays.copyOf(lab, e.size()), Arrays.copyOf(lines, e.size()));
  }

  /** file:line of trial i, for messages. */
  public String where(int i) {
    return file + ":" + lines[i];
  }
}
