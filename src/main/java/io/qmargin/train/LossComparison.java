package io.qmargin.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.qmargin.eval.report.EvaluationReport;
import io.qmargin.eval.report.SystemResult;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import io.qmargin.loss.LossSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains one model per loss under one recipe (the same config, seed, data and schedule; only {@code
 * loss} differs) and compares them on the recipe's held-out protocol. Each model is a normal run
 * directory under {@code OUT/runs/<loss name>}; the comparison goes to {@code OUT/results.json},
 * {@code OUT/report.md} and ROC/DET plots with every method in one figure.
 */
public final class LossComparison {
  private LossComparison() {}

  /** One trained method and its final results. */
  public record Method(String name, String loss, Path runDir, TrainingResult result) {
    /** The protocol with the most non-target trials: the one that resolves the lowest FAR. */
    public ValidationResult primary() {
      return result.validation().stream()
          .max(Comparator.comparingLong(v -> v.metrics().nontargets()))
          .orElseThrow(
              () -> new IllegalStateException(name + ": the run has no validation result"));
    }
  }

  public static List<Method> train(
      ObjectNode recipe,
      List<String> losses,
      Path out,
      Map<String, String> env,
      TrainingListener listener)
      throws IOException {
    List<Method> methods = new ArrayList<>();
    for (String loss : losses) {
      String name = LossSpec.parse(loss).name();
      ObjectNode tree = recipe.deepCopy();
      tree.set("loss", TextNode.valueOf(loss));
      TrainConfig config = ConfigLoader.bind(tree, "recipe");
      Path runDir = out.resolve("runs").resolve(name);
      listener.message(String.format(Locale.ROOT, "== %s (%s) -> %s", name, loss, runDir));
      TrainingResult r =
          new TrainingRun(config, tree, runDir, TrainingTasks.create(config, env), listener)
              .run(false);
      methods.add(new Method(name, loss, runDir, r));
    }
    return methods;
  }

  /** Writes results.json, the plots and report.md; returns the comparison table. */
  public static String report(
      Path out, List<Method> methods, String title, String intro, List<Double> fars)
      throws IOException {
    List<SystemResult> systems = new ArrayList<>();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("title", title);
    Map<String, Object> perMethod = new LinkedHashMap<>();
    for (Method m : methods) {
      ValidationResult p = m.primary();
      Map<String, Object> extras = new LinkedHashMap<>();
      extras.put("loss", m.loss());
      extras.put("mean_support", m.result().meanSupport());
      extras.put("train_samples_per_second", m.result().samplesPerSecond());
      systems.add(new SystemResult(m.name(), p.metrics(), extras));
      Map<String, Object> entry = new LinkedHashMap<>(p.summary());
      entry.put("loss", m.loss());
      entry.put("mean_support", m.result().meanSupport());
      entry.put("first_loss", m.result().firstLoss());
      entry.put("last_loss", m.result().lastLoss());
      entry.put("train_samples_per_second", m.result().samplesPerSecond());
      entry.put("run_dir", m.runDir().toString());
      List<Map<String, Object>> all = new ArrayList<>();
      for (ValidationResult v : m.result().validation()) {
        all.add(v.summary());
      }
      entry.put("protocols", all);
      perMethod.put(m.name(), entry);
    }
    json.put("protocol", methods.get(0).primary().protocol());
    json.put("methods", perMethod);
    String table = table(methods, fars);
    try (AtomicFiles.OutputSet set =
        AtomicFiles.outputSet()) { // report, plots and results.json together
      Path stage = set.directory(out);
      EvaluationReport.write(stage, systems, title);
      AtomicFiles.writeString(stage.resolve("results.json"), Json.pretty(json));
      Path report = stage.resolve("report.md");
      String details = Files.readString(report);
      AtomicFiles.writeString(
          report,
          "# "
              + title
              + "\n\n"
              + intro
              + "\n\n```\n"
              + table
              + "```\n\n"
              + details.replaceFirst("^# [^\n]*\n", "## Details\n"));
      set.commit();
    }
    return table;
  }

  /**
   * The terminal comparison: TAR at each FAR, EER, minDCF, mean support size and final loss per
   * method on the primary protocol, then the k-fold accuracy of every pair-list protocol.
   */
  public static String table(List<Method> methods, List<Double> fars) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-10s", "method"));
    for (double far : fars) {
      sb.append(String.format(Locale.ROOT, " %14s", "TAR@FAR=" + ValidationResult.formatFar(far)));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            " %8s %12s %13s %10s%n",
            "EER",
            "minDCF(0.01)",
            "mean support",
            "final loss"));
    for (Method m : methods) {
      ValidationResult p = m.primary();
      sb.append(String.format(Locale.ROOT, "%-10s", m.name()));
      for (double far : fars) {
        sb.append(
            p.resolves(far)
                ? String.format(Locale.ROOT, " %13.2f%%", 100 * p.tarAt(far))
                : String.format(Locale.ROOT, " %14s", "n/a"));
      }
      sb.append(
          String.format(
              Locale.ROOT,
              " %7.2f%% %12.4f %13.1f %10.3f%n",
              100 * p.metrics().eer(),
              p.metrics().minDcf(0.01).value(),
              m.result().meanSupport(),
              m.result().lastLoss()));
    }
    for (double far : fars) {
      ValidationResult p = methods.isEmpty() ? null : methods.get(0).primary();
      if (p != null && !p.resolves(far)) {
        sb.append(
            String.format(
                Locale.ROOT,
                "n/a at FAR=%s: %s%n",
                ValidationResult.formatFar(far),
                p.tarAtText(far)));
      }
    }
    // Pair lists (LFW pairs files, .bin sets) are read by their k-fold accuracy, which the table
    // lacks.
    for (Method m : methods) {
      for (ValidationResult v : m.result().validation()) {
        if (v.accuracy() != null) {
          sb.append(
              String.format(
                  Locale.ROOT, "%-10s %s: %s%n", m.name(), v.protocol(), v.accuracy().headline()));
        }
      }
    }
    return sb.toString();
  }
}
