package io.qmargin.eval.protocol;

import io.qmargin.io.TextScanner;

/**
 * The layouts of a trial list, one trial per line: VoxCeleb's {@code label enroll test}
 * (veri_test2.txt, List_E, List_H) and Kaldi's {@code enroll test target|nontarget} (wespeaker's
 * vox1_O_cleaned.kaldi). A file keeps one layout, detected from its first data line: VoxCeleb when
 * the first field is a label, else Kaldi when the third is; every later line must match it.
 */
public enum TrialListLayout {
  VOXCELEB("label enroll test", 0, 1, 2),
  KALDI("enroll test target|nontarget", 2, 0, 1);

  /** The accepted layouts, for messages. */
  public static final String ACCEPTED =
      "accepted layouts: 'label enroll test' (VoxCeleb) or 'enroll test target|nontarget' (Kaldi/wespeaker), label 1/0/target/nontarget";

  private final String layout;
  final int labelField;
  final int enrollField;
  final int testField;

  TrialListLayout(String layout, int labelField, int enrollField, int testField) {
    this.layout = layout;
    this.labelField = labelField;
    this.enrollField = enrollField;
    this.testField = testField;
  }

  /**
   * The layout of the scanner's current (first data) line, or a file:line error listing the
   * accepted ones.
   */
  public static TrialListLayout detect(TextScanner sc) {
    if (sc.fieldCount() == 3) {
      for (TrialListLayout l : values()) {
        if (sc.isLabel(l.labelField)) {
          return l;
        }
      }
    }
    throw sc.error("not a trial line (" + sc.fieldCount() + " fields); " + ACCEPTED);
  }

  /** Checks the current line has this layout (three fields, a label where this layout has it). */
  public void check(TextScanner sc, long firstLine) {
    if (sc.fieldCount() != 3) {
      throw sc.error(
          "expected '"
              + layout
              + "' as on line "
              + firstLine
              + ", got "
              + sc.fieldCount()
              + " fields ("
              + ACCEPTED
              + ", one per file)");
    }
    if (!sc.isLabel(labelField)) {
      throw sc.error(
          "expected '"
              + layout
              + "' as on line "
              + firstLine
              + ", but field "
              + (labelField + 1)
              + " '"
              + sc.field(labelField)
              + "' is not a label ("
              + ACCEPTED
              + ", one per file)");
    }
  }

  public String layout() {
    return layout;
  }
}
