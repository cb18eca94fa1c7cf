package io.qmargin.eval.report;

import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.RocCurve;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.TextScanner;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * roc.tsv: the stored operating points of a system, one per line, tab-separated {@code threshold
 * far tar false_accepts true_accepts}, in order of decreasing threshold. Thresholds are written
 * with full precision so the file can be read back exactly (by {@code eval compare}).
 */
public final class CurveFile {
  private CurveFile() {}

  public static final String HEADER = "threshold\tfar\ttar\tfalse_accepts\ttrue_accepts";

  public static void write(Path file, RocCurve roc) throws IOException {
    AtomicFiles.write(
        file,
        out -> {
          Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
          w.write(
              "# qmargin ROC operating points: a trial is accepted iff score >= threshold; targets="
                  + roc.targets()
                  + " nontargets="
                  + roc.nontargets()
                  + "\n");
          w.write(HEADER + "\n");
          StringBuilder sb = new StringBuilder(128);
          for (int i = 0; i < roc.size(); i++) {
            sb.setLength(0);
            sb.append(roc.thresholds()[i])
                .append('\t')
                .append(roc.far(i))
                .append('\t')
                .append(roc.tar(i))
                .append('\t')
                .append(roc.falseAccepts()[i])
                .append('\t')
                .append(roc.trueAccepts()[i])
                .append('\n');
            w.write(sb.toString());
          }
          w.flush();
        });
  }

  public static RocCurve read(Path file, long targets, long nontargets) {
    double[] thr = new double[256];
    long[] fa = new long[256];
    long[] ta = new long[256];
    int n = 0;
    try (TextScanner sc = new TextScanner(file)) {
      if (!sc.next() || !sc.fieldEquals(0, "threshold")) {
        throw new UserInputException(
            file + ": not a qmargin roc.tsv (no '" + HEADER.replace('\t', ' ') + "' header)");
      }
      while (sc.next()) {
        sc.expectFields(5, HEADER.replace('\t', ' '));
        if (n == thr.length) {
          thr = Arrays.copyOf(thr, n * 2);
          fa = Arrays.copyOf(fa, n * 2);
          ta = Arrays.copyOf(ta, n * 2);
        }
        thr[n] = sc.finiteDouble(0, "threshold");
        fa[n] = sc.parseLong(3, "false accepts");
        ta[n] = sc.parseLong(4, "true accepts");
        if (fa[n] < 0 || fa[n] > nontargets || ta[n] < 0 || ta[n] > targets) {
          throw sc.error(
              "counts out of range for " + targets + " targets and " + nontargets + " non-targets");
        }
        n++;
      }
    }
    if (n == 0) {
      throw new UserInputException(file + ": no operating points");
    }
    return new RocCurve(
        Arrays.copyOf(thr, n), Arrays.copyOf(ta, n), Arrays.copyOf(fa, n), targets, nontargets);
  }
}
