package io.qmargin.eval.protocol;

import io.qmargin.io.TextScanner;

/**
 * The layouts of a labelled score file, one trial per line: qmargin's {@code score label} and
 * wespeaker's {@code enroll test score target|nontarget}. A file keeps one layout: it is detected
 * from the number of fields of the first data line, and every later line must have as many.
 */
public enum ScoreFileLayout {
  SCORE_LABEL(2, "score label", 0, 1),
  WESPEAKER(4, "enroll test score target|nontarget", 2, 3);

  /** The accepted layouts, for messages. */
  public static final String ACCEPTED =
      "accepted layouts: 'score label' or 'enroll test score target|nontarget' (wespeaker)";

  private final int fields;
  private final String layout;
  private final int scoreField;
  private final int labelField;

  ScoreFileLayout(int fields, String layout, int scoreField, int labelField) {
    this.fields = fields;
    this.layout = layout;
    this.scoreField = scoreField;
    this.labelField = labelField;
  }

  /**
   * The layout of the scanner's current (first data) line, or a file:line error listing the
   * accepted ones.
   */
  public static ScoreFileLayout detect(TextScanner sc) {
    for (ScoreFileLayout l : values()) {
      if (sc.fieldCount() == l.fields) {
        return l;
      }
    }
    throw sc.error(sc.fieldCount() + " fields; " + ACCEPTED);
  }

  /** The score of the current line, after checking the line has this layout's fields. */
  public double score(TextScanner sc) {
    if (sc.fieldCount() != fields) {
      throw sc.error(
          "expected "
              + fields
              + " fields '"
              + layout
              + "' as on the file's first line, got "
              + sc.fieldCount()
              + " ("
              + ACCEPTED
              + ", one per file)");
    }
    return sc.finiteDouble(scoreField, "score");
  }

  /** The label of the current line (call {@link #score} first). */
  public boolean label(TextScanner sc) {
    return sc.label(labelField);
  }

  public String layout() {
    return layout;
  }
}
