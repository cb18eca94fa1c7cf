package io.qmargin.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.qmargin.eval.compare.Difference;
import io.qmargin.eval.compare.DifferenceReport;
import io.qmargin.eval.compare.Spread;
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
 * loss} differs), optionally repeated over seeds, and compares them on the recipe's held-out
 * protocol. Each model is a normal run directory: {@code OUT/runs/<loss name>} for one seed, {@code
 * OUT/seed-<seed>/runs/<loss name>} for several ({@link SeedRuns}). The comparison goes to {@code
 * OUT/results.json}, {@code OUT/report.md} and ROC/DET plots with every method in one figure (those
 * of the first seed); figures are means over seeds, differences from the first method come with the
 * pooled paired bootstrap interval of {@link SeedComparison}.
 */
public final class LossComparison {
  private LossComparison() {}

  /** One trained method and its final results (details of the held-out protocol in heldOut). */
  public record Method(
      String name, String loss, Path runDir, TrainingResult result, HeldOutTrials heldOut) {
    /** The protocol with the most non-target trials: the one that resolves the lowest FAR. */
    public ValidationResult primary() {
      return heldOut.result();
    }
  }

  /** The methods trained with one seed. */
  public record SeedRun(long seed, List<Method> methods) {}

  /** The result with the most non-target trials. */
  static ValidationResult primary(List<ValidationResult> results) {
    return results.stream()
        .max(Comparator.comparingLong(v -> v.metrics().nontargets()))
        .orElseThrow(() -> new IllegalStateException("the run has no validation result"));
  }

  /**
   * Trains every loss for every seed, one after another. With {@code resume}, a run whose folder
   * holds a config continues from its checkpoint (a finished one is read back), the others start.
   */
  public static List<SeedRun> train(
      ObjectNode recipe,
      List<String> losses,
      long[] seeds,
      Path out,
      Map<String, String> env,
      TrainingListener listener,
      boolean resume)
      throws IOException {
    List<SeedRun> runs = new ArrayList<>();
    for (long seed : seeds) {
      Path dir = seeds.length == 1 ? out : SeedRuns.dir(out, seed);
      ObjectNode seeded = recipe.deepCopy();
      seeded.put("seed", seed);
      if (seeds.length > 1) {
        listener.message(String.format(Locale.ROOT, "==== seed %d -> %s", seed, dir));
      }
      runs.add(new SeedRun(seed, trainSeed(seeded, losses, dir, env, listener, resume)));
    }
    return runs;
  }

  private static List<Method> trainSeed(
      ObjectNode recipe,
      List<String> losses,
      Path out,
      Map<String, String> env,
      TrainingListener listener,
      boolean resume)
      throws IOException {
    List<Method> methods = new ArrayList<>();
    for (String loss : losses) {
      String name = LossSpec.parse(loss).name();
      Path runDir = out.resolve("runs").resolve(name);
      RunDirectory dir = new RunDirectory(runDir);
      boolean resuming = resume && Files.isRegularFile(dir.config());
      ObjectNode tree;
      if (resuming) {
        tree = ConfigLoader.readResolved(dir.config());
      } else {
        tree = recipe.deepCopy();
        tree.set("loss", TextNode.valueOf(loss));
      }
      TrainConfig config = ConfigLoader.bind(tree, resuming ? dir.config().toString() : "recipe");
      listener.message(String.format(Locale.ROOT, "== %s (%s) -> %s", name, loss, runDir));
      TrainingTask task = TrainingTasks.create(config, env);
      TrainingResult r = new TrainingRun(config, tree, runDir, task, listener).run(resuming);
      HeldOutTrials heldOut;
      if (r.alreadyFinished()) {
        heldOut = HeldOutTrials.read(runDir, config.validation().far());
      } else {
        heldOut = HeldOutTrials.of(r.validation(), task.validators());
        heldOut.write(runDir);
      }
      methods.add(new Method(name, loss, runDir, r, heldOut));
    }
    return methods;
  }

  /**
   * Writes results.json, the plots and report.md; returns the comparison table.
   *
   * @param replicates paired bootstrap replicates of the differences
   * @param bootstrapSeed seed of the bootstrap's draws
   */
  public static String report(
      Path out,
      List<SeedRun> runs,
      String title,
      String intro,
      List<Double> fars,
      int replicates,
      long bootstrapSeed)
      throws IOException {
    SeedComparison c = SeedComparison.of(runs, fars, replicates, bootstrapSeed);
    List<Method> first = runs.get(0).methods();
    List<SystemResult> systems = new ArrayList<>();
    for (Method m : first) {
      Map<String, Object> extras = new LinkedHashMap<>();
      extras.put("loss", m.loss());
      extras.put("mean_support", m.result().meanSupport());
      systems.add(new SystemResult(m.name(), m.primary().metrics(), extras));
    }
    String table = table(runs, c, fars);
    try (AtomicFiles.OutputSet set =
        AtomicFiles.outputSet()) { // report, plots and results.json together
      Path stage = set.directory(out);
      EvaluationReport.write(stage, systems, title);
      AtomicFiles.writeString(stage.resolve("results.json"), Json.pretty(json(runs, c, title)));
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
              + "```\n"
              + (c.differences().isEmpty()
                  ? ""
                  : DifferenceReport.markdown(
                      c.differences().stream().filter(Difference::resolved).toList(), c.method()))
              + (runs.size() > 1 ? spreadMarkdown(c) : "")
              + "\n"
              + details.replaceFirst(
                  "^# [^\n]*\n",
                  runs.size() > 1
                      ? "## Details (seed " + runs.get(0).seed() + ")\n"
                      : "## Details\n"));
      set.commit();
    }
    return table;
  }

  private static Map<String, Object> json(List<SeedRun> runs, SeedComparison c, String title)
      throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("title", title);
    json.put("protocol", runs.get(0).methods().get(0).primary().protocol());
    json.put("seeds", c.seeds());
    Map<String, Object> perMethod = new LinkedHashMap<>();
    for (int i = 0; i < c.methods().size(); i++) {
      Map<String, Object> entry = new LinkedHashMap<>();
      Map<String, Object> tar = new LinkedHashMap<>();
      Map<String, Object> spread = new LinkedHashMap<>();
      for (int m = 0; m < c.metrics().size(); m++) {
        Spread s = c.spread(i, m);
        String name = c.metrics().get(m);
        if (name.startsWith("TAR@FAR=")) {
          tar.put(name.substring("TAR@FAR=".length()), nanToNull(s.mean()));
        }
        spread.put(name, spreadJson(s));
      }
      entry.put("loss", runs.get(0).methods().get(i).loss());
      entry.put("tar_at_far", tar);
      entry.put("eer", c.spread(i, c.metrics().indexOf("EER")).mean());
      entry.put("min_dcf_0.01", c.spread(i, c.metrics().size() - 1).mean());
      entry.put("mean_support", mean(runs, i, r -> r.meanSupport()));
      entry.put("last_loss", mean(runs, i, r -> r.lastLoss()));
      entry.put("spread_over_seeds", spread);
      List<Map<String, Object>> perSeed = new ArrayList<>();
      for (SeedRun run : runs) {
        perSeed.add(seedEntry(run.seed(), run.methods().get(i)));
      }
      entry.put("seeds", perSeed);
      perMethod.put(c.methods().get(i), entry);
    }
    json.put("methods", perMethod);
    if (!c.differences().isEmpty()) {
      json.put("differences", DifferenceReport.json(c.differences(), c.method(), c.replicates()));
    }
    return json;
  }

  private static Map<String, Object> seedEntry(long seed, Method m) throws IOException {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("seed", seed);
    e.putAll(m.primary().summary());
    e.put("mean_support", m.result().meanSupport());
    e.put("first_loss", m.result().firstLoss());
    e.put("last_loss", m.result().lastLoss());
    e.put("run_dir", m.runDir().toString());
    // every protocol, as the run's results.json has them (also for a run finished earlier)
    e.put(
        "protocols",
        Json.mapper()
            .convertValue(
                RunDirectory.readJsonObject(new RunDirectory(m.runDir()).results())
                    .path("validation"),
                List.class));
    return e;
  }

  private static Map<String, Object> spreadJson(Spread s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mean", nanToNull(s.mean()));
    m.put("sd", nanToNull(s.sd()));
    m.put("min", nanToNull(s.min()));
    m.put("max", nanToNull(s.max()));
    return m;
  }

  private static Double nanToNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private static double mean(
      List<SeedRun> runs, int method, java.util.function.ToDoubleFunction<TrainingResult> f) {
    return runs.stream()
        .mapToDouble(r -> f.applyAsDouble(r.methods().get(method).result()))
        .average()
        .orElse(Double.NaN);
  }

  /** report.md's table of every figure per seed with its mean, sd and range. */
  private static String spreadMarkdown(SeedComparison c) {
    StringBuilder sb = new StringBuilder("\n## Spread over seeds\n\n| method | figure |");
    for (long s : c.seeds()) {
      sb.append(" seed ").append(s).append(" |");
    }
    sb.append(" mean | sd | min – max |\n|---|---|");
    sb.append("---:|".repeat(c.seeds().length + 3)).append('\n');
    for (int i = 0; i < c.methods().size(); i++) {
      for (int m = 0; m < c.metrics().size(); m++) {
        String metric = c.metrics().get(m);
        Spread s = c.spread(i, m);
        if (Double.isNaN(s.mean())) {
          continue;
        }
        sb.append("| ").append(c.methods().get(i)).append(" | ").append(metric).append(" |");
        for (int k = 0; k < c.seeds().length; k++) {
          sb.append(' ').append(figure(metric, c.values()[k][i][m])).append(" |");
        }
        sb.append(' ').append(figure(metric, s.mean()));
        sb.append(" | ").append(figure(metric, s.sd()));
        sb.append(" | ").append(figure(metric, s.min())).append(" – ");
        sb.append(figure(metric, s.max())).append(" |\n");
      }
    }
    return sb.toString();
  }

  private static boolean isRate(String metric) {
    return !metric.startsWith("minDCF");
  }

  /** A figure as the table shows it: rates in percent (no sign), minDCF as it is. */
  private static String figure(String metric, double v) {
    return isRate(metric)
        ? String.format(Locale.ROOT, "%.2f", 100 * v)
        : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String signed(String metric, double v) {
    return isRate(metric)
        ? String.format(Locale.ROOT, "%+.2f", 100 * v)
        : String.format(Locale.ROOT, "%+.4f", v);
  }

  /**
   * The terminal comparison on the primary protocol: per method the TAR at each FAR its impostors
   * resolve, EER (rates in percent), minDCF(0.01), mean support size and final loss; means over
   * seeds (± sd with several seeds), and beside each figure of a later method its difference from
   * the first with the interval, marked {@code ns} when the interval covers 0. Then which FARs were
   * left out and the k-fold accuracy of every pair-list protocol.
   */
  public static String table(List<SeedRun> runs, SeedComparison c, List<Double> fars) {
    boolean several = runs.size() > 1;
    List<Method> first = runs.get(0).methods();
    ValidationResult p0 = first.get(0).primary();
    List<Integer> shown = new ArrayList<>(); // metric indices, FARs in the recipe's order
    List<String> leftOut = new ArrayList<>();
    for (double far : fars) {
      if (p0.resolves(far)) {
        shown.add(c.metricIndex(SeedComparison.tarName(far)));
      } else {
        leftOut.add(
            String.format(
                Locale.ROOT,
                "TAR@FAR=%s (needs >= %,d impostors)",
                ValidationResult.formatFar(far),
                p0.metrics().tarAtFar(far).impostorsNeeded()));
      }
    }
    shown.add(c.metricIndex("EER"));
    shown.add(c.metrics().size() - 1); // minDCF(0.01)
    List<List<String>> rows = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("method"));
    for (int m : shown) {
      String name = c.metrics().get(m);
      header.add(
          name.startsWith("TAR@FAR=")
              ? "TAR@FAR=" + ValidationResult.formatFar(c.fars().get(m)) + " %"
              : isRate(name) ? name + " %" : name);
    }
    header.addAll(List.of("mean support", "final loss"));
    rows.add(header);
    boolean anyNotSignificant = false;
    for (int i = 0; i < c.methods().size(); i++) {
      List<String> row = new ArrayList<>(List.of(c.methods().get(i)));
      for (int m : shown) {
        String metric = c.metrics().get(m);
        Spread s = c.spread(i, m);
        StringBuilder cell = new StringBuilder(figure(metric, s.mean()));
        if (several) {
          cell.append('±').append(figure(metric, s.sd()));
        }
        if (i > 0 && !c.differences().isEmpty()) {
          Difference d = c.versusFirst(i, m);
          cell.append(" (")
              .append(signed(metric, d.difference()))
              .append(" [")
              .append(signed(metric, d.low()))
              .append(", ")
              .append(signed(metric, d.high()))
              .append("]")
              .append(d.significant() ? "" : " ns")
              .append(')');
          anyNotSignificant |= !d.significant();
        }
        row.add(cell.toString());
      }
      row.add(String.format(Locale.ROOT, "%.1f", mean(runs, i, r -> r.meanSupport())));
      row.add(String.format(Locale.ROOT, "%.3f", mean(runs, i, r -> r.lastLoss())));
      rows.add(row);
    }
    StringBuilder sb = new StringBuilder(columns(rows));
    if (several) {
      sb.append(
          String.format(
              Locale.ROOT,
              "mean±sd over %d seeds (%s)%n",
              runs.size(),
              String.join(", ", runs.stream().map(r -> Long.toString(r.seed())).toList())));
    }
    if (c.methods().size() > 1) {
      sb.append(
          String.format(
              Locale.ROOT,
              "(difference from %s [%d%% interval]): %s%n",
              c.methods().get(0),
              Math.round(SeedComparison.LEVEL * 100),
              c.method()));
      if (anyNotSignificant) {
        sb.append(
            String.format(
                Locale.ROOT,
                "ns: not significant, the interval covers 0 (no evidence of a difference)%n"));
      }
    }
    if (!leftOut.isEmpty()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "left out: %s; there are %,d impostors%n",
              String.join(", ", leftOut),
              p0.metrics().nontargets()));
    }
    // Pair lists (LFW pairs files, .bin sets) are read by their k-fold accuracy, which the table
    // lacks.
    for (SeedRun run : runs) {
      for (Method m : run.methods()) {
        for (ValidationResult v : m.result().validation()) {
          if (v.accuracy() != null) {
            sb.append(
                String.format(
                    Locale.ROOT,
                    "%-10s %s%s: %s%n",
                    m.name(),
                    several ? "seed " + run.seed() + ", " : "",
                    v.protocol(),
                    v.accuracy().headline()));
          }
        }
      }
    }
    return sb.toString();
  }

  /** Rows as left-aligned columns two spaces apart (the first row is the header). */
  private static String columns(List<List<String>> rows) {
    int[] width = new int[rows.get(0).size()];
    for (List<String> row : rows) {
      for (int j = 0; j < row.size(); j++) {
        width[j] = Math.max(width[j], row.get(j).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int j = 0; j < row.size(); j++) {
        line.append(String.format(Locale.ROOT, "%-" + width[j] + "s", row.get(j)));
        if (j < row.size() - 1) {
          line.append("  ");
        }
      }
      sb.append(line.toString().stripTrailing()).append(String.format("%n"));
    }
    return sb.toString();
  }
}
