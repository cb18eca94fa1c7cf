package io.qmargin.eval.protocol;

import io.qmargin.Progress;
import io.qmargin.io.TextScanner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trial list: one trial per line, in VoxCeleb's layout {@code label enroll_id test_id} (as in
 * veri_test2.txt, List_E, List_H) or Kaldi's {@code enroll_id test_id target|nontarget}
 * (wespeaker's vox1_O_cleaned.kaldi), detected per file ({@link TrialListLayout}); label
 * 1/0/target/nontarget. Line numbers are kept for error messages about the trials.
 */
public record TrialList(
    Path file, List<String> enroll, List<String> test, boolean[] isTarget, long[] lines) {

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
      TrialListLayout layout = null;
      long firstLine = 0;
      while (sc.next()) {
        if (layout == null) {
          layout = TrialListLayout.detect(sc);
          firstLine = sc.lineNumber();
        }
        layout.check(sc, firstLine);
        int n = e.size();
        if (n == lab.length) {
          lab = Arrays.copyOf(lab, n * 2);
          lines = Arrays.copyOf(lines, n * 2);
        }
        lab[n] = sc.label(layout.labelField);
        lines[n] = sc.lineNumber();
        // Interning keeps one String per utterance: each id appears in many trials.
        e.add(sc.field(layout.enrollField).intern());
        t.add(sc.field(layout.testField).intern());
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
