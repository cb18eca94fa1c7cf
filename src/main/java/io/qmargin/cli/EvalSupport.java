package io.qmargin.cli;

import io.qmargin.eval.report.EvaluationReport;
import io.qmargin.eval.report.SystemResult;
import io.qmargin.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the eval commands share: the progress bar policy and the final write-and-print step. */
final class EvalSupport {
  private EvalSupport() {}

  /**
   * Progress bars only for tasks of at least this many units (bytes, pairs): runs of a few seconds
   * and more.
   */
  static ConsoleProgress progress() {
    return new ConsoleProgress(20_000_000);
  }

  /** Writes extra outputs of a command (its scores) into the staging directory of its report. */
  @FunctionalInterface
  interface StagedOutputs {
    void writeInto(Path stagingDir) throws IOException;
  }

  static void report(Path out, List<SystemResult> systems, String title, PrintWriter stdout)
      throws IOException {
    report(out, systems, title, null, stdout, stage -> {});
  }

  /**
   * Writes the report and the command's extra outputs into {@code out} together: everything goes to
   * a staging directory first and is moved into {@code out} only when all of it is written. A
   * non-null {@code lead} (the headline figure of a protocol, such as LFW's 10-fold accuracy) is
   * the first console line and a bold line under the title of report.md.
   */
  static void report(
      Path out,
      List<SystemResult> systems,
      String title,
      String lead,
      PrintWriter stdout,
      StagedOutputs extra)
      throws IOException {
    report(out, systems, title, lead, stdout, extra, stage -> {});
  }

  /** As above, with {@code after} run on the staging directory once the report is written. */
  static void report(
      Path out,
      List<SystemResult> systems,
      String title,
      String lead,
      PrintWriter stdout,
      StagedOutputs extra,
      StagedOutputs after)
      throws IOException {
    String summary;
    try (AtomicFiles.OutputSet set = AtomicFiles.outputSet()) {
      Path stage = set.directory(out);
      extra.writeInto(stage);
      summary = EvaluationReport.write(stage, systems, title);
      if (lead != null) {
        Path md = stage.resolve("report.md");
        String text = Files.readString(md);
        int eol = text.indexOf('\n') + 1;
        Files.writeString(
            md, text.substring(0, eol) + "\n**" + lead + "**\n" + text.substring(eol));
      }
      after.writeInto(stage);
      set.commit();
    }
    if (lead != null) {
      stdout.println(lead);
    }
    stdout.print(summary);
    stdout.println(
        "wrote "
            + out.resolve("metrics.json")
            + ", "
            + out.resolve("report.md")
            + ", roc/det .png/.svg");
    stdout.flush();
  }

  /**
   * Splits "NAME=PATH" into {name, path}; a plain path gets its file name (without extension) as
   * name.
   */
  static String[] namedInput(String spec) {
    int eq = spec.indexOf('=');
    if (eq > 0 && !java.nio.file.Files.exists(Path.of(spec))) {
      return new String[] {spec.substring(0, eq), spec.substring(eq + 1)};
    }
    String base = Path.of(spec).getFileName().toString();
    int dot = base.lastIndexOf('.');
    return new String[] {dot > 0 ? base.substring(0, dot) : base, spec};
  }
}
