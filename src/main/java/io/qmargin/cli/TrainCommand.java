package io.qmargin.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.UserInputException;
import io.qmargin.eval.Progress;
import io.qmargin.train.ConfigLoader;
import io.qmargin.train.RunDirectory;
import io.qmargin.train.TrainConfig;
import io.qmargin.train.TrainingResult;
import io.qmargin.train.TrainingRun;
import io.qmargin.train.TrainingTasks;
import io.qmargin.train.ValidationResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML config; keys not given keep their defaults.")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one key, e.g. --set schedule.epochs=2 --set loss=arcface (repeatable).")
  List<String> settings = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Run directory.")
  Path out;

  @Option(names = "--resume", description = "Continue the run in --out from its latest checkpoint, with its saved config.")
  boolean resume;

  @Option(names = "--print-config", description = "Print the resolved config and exit.")
  boolean printConfig;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    ObjectNode tree;
    RunDirectory run = new RunDirectory(out);
    if (resume && Files.exists(run.config())) {
      if (config != null || !settings.isEmpty()) {
        throw new UserInputException("--resume uses the run's saved " + run.config() + "; drop --config and --set");
      }
      tree = ConfigLoader.readResolved(run.config());
    } else {
      tree = ConfigLoader.resolve(config, settings);
    }
    if (printConfig) {
      spec.commandLine().getOut().print(ConfigLoader.toYaml(tree));
      spec.commandLine().getOut().flush();
      return 0;
    }
    TrainConfig c = ConfigLoader.bind(tree, config == null ? "config" : config.toString());
    TrainingResult r = new TrainingRun(c, tree, out, TrainingTasks.create(c, System.getenv()),
        new ConsoleTrainingListener(err)).run(resume);
    PrintWriter o = spec.commandLine().getOut();
    o.printf(Locale.ROOT, "trained %s for %d steps: loss %.4f -> %.4f, %.1f samples/s%n", c.loss(), r.steps(),
        r.firstLoss(), r.lastLoss(), r.samplesPerSecond());
    for (ValidationResult v : r.validation()) {
      o.printf(Locale.ROOT, "%s: %sEER %.2f%%, TAR@FAR=1e-3 %.2f%%, TAR@FAR=1e-4 %.2f%%%n", v.protocol(),
          v.accuracy() == null ? "" : v.accuracy().headline() + ", ", 100 * v.metrics().eer(),
          100 * v.metrics().tarAtFar(1e-3).tar(), 100 * v.metrics().tarAtFar(1e-4).tar());
    }
    o.printf(Locale.ROOT, "run directory: %s%n", out);
    o.flush();
    return 0;
  }

  /** Progress bar over the steps, with loss and throughput; messages above it. */
  static final class ConsoleTrainingListener implements io.qmargin.train.TrainingListener {
    private final PrintWriter err;
    private final ConsoleProgress progress = new ConsoleProgress(1);
    private me.tongfei.progressbar.ProgressBar bar;

    ConsoleTrainingListener(PrintWriter err) {
      this.err = err;
    }

    @Override
    public void started(long firstStep, long totalSteps) {
      bar = ConsoleProgress.bar("train", totalSteps);
      bar.stepTo(firstStep);
    }

    @Override
    public void step(long step, java.util.Map<String, Object> record) {
      if (bar != null) {
        bar.stepTo(step);
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.3f lr %.4f %.0f samples/s", (Double) record.get("loss"),
            (Double) record.get("lr"), (Double) record.get("samples_per_second")));
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
