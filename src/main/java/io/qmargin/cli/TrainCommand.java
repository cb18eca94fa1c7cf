package io.qmargin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import io.qmargin.train.ConfigLoader;
import io.qmargin.train.RunDirectory;
import io.qmargin.train.SeedRuns;
import io.qmargin.train.SeedSummary;
import io.qmargin.train.TrainConfig;
import io.qmargin.train.TrainingResult;
import io.qmargin.train.TrainingRun;
import io.qmargin.train.TrainingTasks;
import io.qmargin.train.ValidationResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qmargin train}: trains a model from a YAML config into a run directory. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a verification model from a YAML config (see configs/ and docs/training.md).",
      "",
      "The run directory gets the resolved config, metrics.jsonl, validation.jsonl, checkpoints",
      "(atomic; --resume continues the latest), the final model/ and results.json."
    })
final class TrainCommand implements Callable<Integer> {
  /** A run over seeds: its seeds, and the config every seed starts from. */
  static final String SEEDS_FILE = "seeds.json";

  static final String RECIPE_FILE = "recipe.yaml";

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML config; keys not given keep their defaults.")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Override one key, e.g. --set schedule.epochs=2 --set loss=arcface (repeatable).")
  List<String> settings = new ArrayList<>();

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "The training data folder (sets data.path), as in qmargin demo: "
              + "with the default synthetic data, an LFW folder (or a folder holding lfw/) switches to LFW.")
  Path data;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Run directory (required unless --print-config).")
  Path out;

  @Option(
      names = "--resume",
      description = "Continue the run in --out from its latest checkpoint, with its saved config.")
  boolean resume;

  @Option(
      names = "--seeds",
      paramLabel = "N",
      description =
          "Train the config over N seeds (its seed, seed + 1, ...), one after another, each run in "
              + "OUT/seed-<seed>; prints each figure's mean, sd and range over seeds and writes them "
              + "to OUT/results.json. --resume continues the unfinished seeds.")
  Integer seeds;

  @Option(
      names = "--print-config",
      description = "Check the resolved config, print it and exit (no --out needed).")
  boolean printConfig;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (out == null && (resume || !printConfig)) {
      throw new UserInputException(
          "--out DIR is required" + (resume ? " with --resume" : " (the run directory)"));
    }
    if (resume && data != null) {
      throw new UserInputException("--resume continues with the run's saved config; drop --data");
    }
    if (seeds != null && seeds < 1) {
      throw new UserInputException("--seeds must be >= 1, got " + seeds);
    }
    if (resume && seeds != null) {
      throw new UserInputException("--resume continues with the run's saved seeds; drop --seeds");
    }
    if (out != null && resume && Files.isRegularFile(out.resolve(SEEDS_FILE))) {
      return resumeSeeds(err);
    }
    ObjectNode tree;
    RunDirectory run = new RunDirectory(out);
    if (resume) {
      run.requireExistingRun();
      if (config != null || !settings.isEmpty()) {
        throw new UserInputException(
            "--resume uses the run's saved " + run.config() + "; drop --config and --set");
      }
      tree = ConfigLoader.readResolved(run.config());
    } else {
      tree = ConfigLoader.resolve(config, withData(settings));
    }
    TrainConfig c = ConfigLoader.bind(tree, config == null ? "config" : config.toString());
    if (printConfig) {
      spec.commandLine().getOut().print(ConfigLoader.toYaml(tree));
      spec.commandLine().getOut().flush();
      return 0;
    }
    if (seeds != null && seeds > 1) {
      if (Files.exists(out.resolve(SEEDS_FILE))) {
        throw new UserInputException(
            out
                + " already holds a run over seeds: resume it with --resume, or choose another --out");
      }
      long[] list = SeedRuns.seeds(c.seed(), seeds);
      Files.createDirectories(out);
      AtomicFiles.writeString(out.resolve(RECIPE_FILE), ConfigLoader.toYaml(tree));
      AtomicFiles.writeString(out.resolve(SEEDS_FILE), Json.pretty(Map.of("seeds", list)));
      return trainSeeds(err, tree, list);
    }
    TrainingResult r =
        new TrainingRun(
                c,
                tree,
                out,
                TrainingTasks.create(c, System.getenv()),
                new ConsoleTrainingListener(err))
            .run(resume);
    PrintWriter o = spec.commandLine().getOut();
    if (r.alreadyFinished()) {
      o.printf(
          Locale.ROOT,
          "finished earlier: %d steps, loss %.4f -> %.4f; results in %s%n",
          r.steps(),
          r.firstLoss(),
          r.lastLoss(),
          run.results());
      o.flush();
      return 0;
    }
    printTrained(o, c, r);
    o.printf(Locale.ROOT, "run directory: %s%n", out);
    o.flush();
    return 0;
  }

  /** Continues a run over seeds: seeds and recipe as saved, each seed resumed or started. */
  private Integer resumeSeeds(PrintWriter err) throws IOException {
    if (config != null || !settings.isEmpty() || data != null) {
      throw new UserInputException(
          "--resume uses the run's saved "
              + out.resolve(RECIPE_FILE)
              + "; drop --config, --set and --data");
    }
    JsonNode saved = RunDirectory.readJsonObject(out.resolve(SEEDS_FILE));
    long[] list = new long[saved.path("seeds").size()];
    for (int i = 0; i < list.length; i++) {
      list[i] = saved.path("seeds").get(i).asLong();
    }
    return trainSeeds(err, ConfigLoader.readResolved(out.resolve(RECIPE_FILE)), list);
  }

  /**
   * Trains (or, when its folder holds a config, resumes) every seed's run one after another, then
   * prints and writes the figures' spread over seeds.
   */
  private Integer trainSeeds(PrintWriter err, ObjectNode recipe, long[] list) throws IOException {
    PrintWriter o = spec.commandLine().getOut();
    List<Path> dirs = new ArrayList<>();
    for (long seed : list) {
      Path dir = SeedRuns.dir(out, seed);
      dirs.add(dir);
      RunDirectory run = new RunDirectory(dir);
      boolean started = Files.isRegularFile(run.config());
      ObjectNode tree;
      if (started) {
        tree = ConfigLoader.readResolved(run.config());
      } else {
        tree = recipe.deepCopy();
        tree.put("seed", seed);
      }
      TrainConfig c = ConfigLoader.bind(tree, started ? run.config().toString() : "config");
      err.printf(Locale.ROOT, "==== seed %d -> %s%n", seed, dir);
      err.flush();
      TrainingResult r =
          new TrainingRun(
                  c,
                  tree,
                  dir,
                  TrainingTasks.create(c, System.getenv()),
                  new ConsoleTrainingListener(err))
              .run(started);
      o.printf(Locale.ROOT, "seed %d: ", seed);
      if (r.alreadyFinished()) {
        o.printf(Locale.ROOT, "finished earlier, results in %s%n", run.results());
      } else {
        printTrained(o, c, r);
      }
      o.flush();
    }
    SeedSummary summary = SeedSummary.read(list, dirs);
    AtomicFiles.writeString(out.resolve("results.json"), Json.pretty(summary.json(dirs)));
    o.print(summary.text());
    o.printf(Locale.ROOT, "runs: %s/seed-<seed>, summary: %s%n", out, out.resolve("results.json"));
    o.flush();
    return 0;
  }

  private static void printTrained(PrintWriter o, TrainConfig c, TrainingResult r) {
    o.printf(
        Locale.ROOT,
        "trained %s for %d steps: loss %.4f -> %.4f, %.1f samples/s%n",
        c.loss(),
        r.steps(),
        r.firstLoss(),
        r.lastLoss(),
        r.samplesPerSecond());
    for (ValidationResult v : r.validation()) {
      StringBuilder line = new StringBuilder(v.protocol()).append(": ");
      if (v.accuracy() != null) {
        line.append(v.accuracy().headline()).append(", ");
      }
      line.append(String.format(Locale.ROOT, "EER %.2f%%", 100 * v.metrics().eer()));
      for (double far : c.validation().far()) {
        line.append(", TAR@FAR=")
            .append(ValidationResult.formatFar(far))
            .append(' ')
            .append(v.tarAtText(far));
      }
      o.println(line);
    }
  }

  /**
   * The --set settings, then those of --data (which, as in the demo, depend on the config's task
   * and data type).
   */
  private List<String> withData(List<String> settings) {
    if (data == null) {
      return settings;
    }
    List<String> all = new ArrayList<>(settings);
    TrainConfig c = ConfigLoader.bind(ConfigLoader.resolve(config, settings), "config");
    all.addAll(DemoCommand.dataSettings(c.task(), c.data().type(), data));
    return all;
  }

  /**
   * On a terminal, a progress bar over the steps with loss and throughput, messages above it. Off a
   * terminal (see {@link ConsoleProgress#interactive}), a header saying what the run does, then one
   * plain line every {@link ConsoleProgress#plainInterval} steps and at the last.
   */
  static final class ConsoleTrainingListener implements io.qmargin.train.TrainingListener {
    private final PrintWriter err;
    private final boolean interactive;
    private final ConsoleProgress progress;
    private me.tongfei.progressbar.ProgressBar bar;
    private long total;
    private long plainEvery;

    ConsoleTrainingListener(PrintWriter err) {
      this(err, ConsoleProgress.interactive());
    }

    ConsoleTrainingListener(PrintWriter err, boolean interactive) {
      this.err = err;
      this.interactive = interactive;
      this.progress = new ConsoleProgress(1, interactive ? null : err);
    }

    @Override
    public void started(Start start) {
      total = start.totalSteps();
      if (interactive) {
        bar = ConsoleProgress.bar("train", total);
        bar.stepTo(start.firstStep());
        return;
      }
      plainEvery = ConsoleProgress.plainInterval(total);
      String steps =
          start.firstStep() == 0
              ? String.format(Locale.ROOT, "%,d steps", total)
              : String.format(
                  Locale.ROOT, "resuming at step %,d of %,d", start.firstStep() + 1, total);
      err.printf(
          Locale.ROOT,
          "train: %s, %,d classes, %,d samples; %s; run directory %s%n",
          start.data(),
          start.classes(),
          start.samples(),
          steps,
          start.runDirectory());
      err.flush();
    }

    @Override
    public void step(long step, java.util.Map<String, Object> record) {
      if (!interactive) {
        if (step % plainEvery == 0 || step == total) {
          err.printf(
              Locale.ROOT,
              "step %,d of %,d: loss %.4f, lr %.4g, %.0f samples/s%n",
              step,
              total,
              (Double) record.get("loss"),
              (Double) record.get("lr"),
              (Double) record.get("samples_per_second"));
          err.flush();
        }
        return;
      }
      if (bar != null) {
        bar.stepTo(step);
        bar.setExtraMessage(
            String.format(
                Locale.ROOT,
                " loss %.3f lr %.4f %.0f samples/s",
                (Double) record.get("loss"),
                (Double) record.get("lr"),
                (Double) record.get("samples_per_second")));
        if (step >= bar.getMax()) {
          bar.close();
          bar = null;
        }
      }
    }

    @Override
    public void message(String text) {
      err.println(text);
      err.flush();
    }

    @Override
    public Progress progress() {
      return progress;
    }
  }
}
