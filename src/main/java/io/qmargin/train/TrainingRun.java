package io.qmargin.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.UserInputException;
import io.qmargin.data.SampleSet;
import io.qmargin.data.UnreadableSampleException;
import io.qmargin.head.TrainableHead;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import io.qmargin.loss.LossSpec;
import io.qmargin.model.djl.DjlModels;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One training run: a backbone and a {@link TrainableHead} trained with SGD on a {@link SampleSet},
 * with the learning-rate schedule, gradient clipping, margin ramp, A3M prototype re-initialisation,
 * validation, logs and checkpoints of its {@link TrainConfig}, in a {@link RunDirectory}.
 *
 * <p><b>Structure.</b> {@link #run} resolves or restores the run, builds the {@link TrainStep}, the
 * schedule and the {@link RunHook}s from the config, and loops over the steps: each takes its
 * batch, runs the step at the schedule's learning rate and hands the outcome to the hooks, in this
 * order: {@link MarginRamp}, {@link RunTotals}, {@link MetricsLog}, {@link A3mReinit}, {@link
 * Checkpointing}, {@link PeriodicValidation}. {@link Checkpointing} writes and reads the
 * checkpoint's state from the hooks' states.
 *
 * <p><b>Determinism and resume.</b> Everything random is a function of the seed and the step: the
 * initial weights (engine seeded before initialisation), the batch of step t (epoch order and
 * augmentation, see {@link BatchLoader}), the engine's generator for dropout (re-seeded from (seed,
 * t) before each step) and Partial FC's class sample. A checkpoint therefore needs only the
 * weights, the optimizer state (backbone momentum, prototypes and their momentum) and the step; a
 * run resumed from it takes the same steps as one that was never interrupted. The checkpoint also
 * carries the running sums behind results.json (first loss, support sizes, samples, seconds), so
 * the results of a resumed run are the uninterrupted run's too.
 *
 * <p><b>Safety.</b> The run holds its directory's {@link RunLock} throughout; checks its validation
 * sets before the first step; writes a checkpoint at every validation step before validating, so a
 * failing validation costs no training; and on resume uses the newest checkpoint that matches its
 * manifest (see {@link RunDirectory#checkpointToResume}).
 */
public final class TrainingRun {
  /** Checkpoints kept on disk (older ones are deleted once a newer one is complete). */
  public static final int KEEP_CHECKPOINTS = 2;

  private final TrainConfig config;
  private final JsonNode resolvedConfig;
  private final RunDirectory dir;
  private final TrainingTask task;
  private final TrainingListener listener;

  public TrainingRun(
      TrainConfig config,
      JsonNode resolvedConfig,
      Path runDir,
      TrainingTask task,
      TrainingListener listener) {
    this.config = config;
    this.resolvedConfig = resolvedConfig;
    this.dir = new RunDirectory(runDir);
    this.task = task;
    this.listener = listener;
  }

  /**
   * Trains (from the newest intact checkpoint when {@code resume}) and returns the final results,
   * holding the run directory's lock throughout. Resuming a finished run changes nothing and
   * returns the summary it left (see {@link TrainingResult#alreadyFinished()}).
   */
  public TrainingResult run(boolean resume) throws IOException {
    if (resume) {
      dir.requireExistingRun();
    }
    try (RunLock lock = dir.lock()) {
      return runLocked(resume);
    }
  }

  private TrainingResult runLocked(boolean resume) throws IOException {
    if (resume && dir.isFinished()) {
      listener.message(
          dir.root()
              + " is a finished run ("
              + dir.results().getFileName()
              + " is written): nothing to resume");
      return finishedResult();
    }
    if (!resume && Files.exists(dir.checkpoints())) {
      throw new UserInputException(
          dir.root() + " already holds a run: resume it with --resume, or choose another --out");
    }
    if (!resume) {
      AtomicFiles.writeString(dir.config(), ConfigLoader.toYaml(resolvedConfig));
    }
    Optional<Path> checkpoint =
        resume ? dir.checkpointToResume(listener::message) : Optional.empty();
    SampleSet train = task.trainingSet();
    List<Validator> validators = checkedValidators(train);
    RunTotals totals = new RunTotals();
    try (NDManager manager = NDManager.newBaseManager();
        BatchLoader loader =
            new BatchLoader(
                train,
                config.seed(),
                config.batchSize(),
                config.loaderThreads(),
                e -> recordSkipped(e, totals.skipped))) {
      Engine.getInstance().setRandomSeed((int) config.seed());
      Block backbone = task.backbone();
      backbone.initialize(
          manager, DataType.FLOAT32, shape(config.batchSize(), train.sampleShape()));
      if (config.model().init() != null && checkpoint.isEmpty()) { // a checkpoint has its own
        Models.initialise(backbone, config, train.sampleShape(), manager);
        listener.message("backbone initialised from " + config.model().init());
      }
      try (TrainStep step =
          TrainStep.create(
              manager,
              backbone,
              train.sampleShape(),
              train.numClasses(),
              config,
              dir::latestCheckpoint)) {
        long stepsPerEpoch = loader.batchesPerEpoch();
        LearningRateSchedule schedule =
            LearningRateSchedule.of(config.optimizer(), config.schedule(), stepsPerEpoch);
        long total = schedule.totalSteps();
        Embedder embedder =
            new Embedder(backbone, manager, train.sampleShape(), config.batchSize());
        RunHooks hooks = hooks(step, train, validators, embedder, totals, stepsPerEpoch, total);
        long first = restoreOrStart(checkpoint, resume, hooks, total);
        listener.started(
            new TrainingListener.Start(
                describeData(), train.numClasses(), train.size(), first, total, dir.root()));
        hooks.begin(first);
        for (long s = first; s < total; s++) {
          long epoch = s / stepsPerEpoch;
          int index = (int) (s % stepsPerEpoch);
          if (index == 0) {
            hooks.epochStart(epoch);
          }
          long t0 = System.nanoTime();
          BatchLoader.Batch b = loader.get(epoch, index);
          double dataSeconds = (System.nanoTime() - t0) / 1e9;
          if (b.count() < 2) {
            listener.message(
                "step " + (s + 1) + ": fewer than 2 readable samples in the batch, skipped");
            continue;
          }
          hooks.stepStart(s);
          double lr = schedule.at(s);
          TrainStep.Outcome outcome = step.run(s, b.data(), b.labels(), b.count(), lr);
          hooks.stepEnd(
              new RunHook.StepEnd(
                  s, epoch, lr, outcome, b.count(), (System.nanoTime() - t0) / 1e9, dataSeconds));
        }
        hooks.end(total);
        writeModel(backbone, train);
        TrainingResult result = totals.result(hooks.validation.last(), total, train.numClasses());
        writeResults(result);
        return result;
      }
    }
  }

  /**
   * The run's hooks from its config, in the order they act after a step: the totals and the metrics
   * log record it, A3M may re-initialise, then a checkpoint is written before any validation, so a
   * failing validation costs no training.
   */
  private RunHooks hooks(
      TrainStep step,
      SampleSet train,
      List<Validator> validators,
      Embedder embedder,
      RunTotals totals,
      long stepsPerEpoch,
      long total) {
    MarginRamp ramp =
        new MarginRamp(
            config.marginSchedule(), LossSpec.parse(config.loss()), step.head(), stepsPerEpoch);
    PeriodicValidation validation =
        new PeriodicValidation(
            validators, embedder, dir, listener, config.validation(), stepsPerEpoch, total);
    List<RunHook> hooks =
        new ArrayList<>(
            List.of(
                ramp,
                totals,
                new MetricsLog(
                    dir,
                    listener,
                    ramp,
                    totals.skipped::get,
                    stepsPerEpoch,
                    config.logEverySteps(),
                    total),
                new A3mReinit(
                    config.a3mReinit(),
                    train,
                    embedder,
                    step.head(),
                    dir,
                    listener,
                    stepsPerEpoch)));
    Checkpointing checkpoints =
        new Checkpointing(
            dir,
            step,
            config.seed(),
            hooks,
            stepsPerEpoch,
            config.checkpointEverySteps(),
            validation::validatesAfter);
    hooks.add(checkpoints);
    hooks.add(validation);
    return new RunHooks(hooks, checkpoints, validation);
  }

  /**
   * Restores the checkpoint, if any, and drops the log lines beyond it; returns the step to start
   * at. A validation step's checkpoint is written before its validation, which therefore runs again
   * (and its line goes). Without a checkpoint a resumed run starts afresh, its logs deleted.
   */
  private long restoreOrStart(Optional<Path> checkpoint, boolean resume, RunHooks hooks, long total)
      throws IOException {
    if (checkpoint.isEmpty()) {
      if (resume) {
        listener.message("no checkpoint in " + dir.checkpoints() + ": starting from the beginning");
        Files.deleteIfExists(dir.metrics());
        Files.deleteIfExists(dir.validation());
      }
      return 0;
    }
    long step = hooks.checkpoints.restore(checkpoint.get());
    dir.truncateLog(dir.metrics(), step, line -> A3mReinit.redoneOnResume(line, step));
    dir.truncateLog(dir.validation(), hooks.validation.validatesAfter(step) ? step - 1 : step);
    listener.message("resumed from " + checkpoint.get() + " at step " + step + " of " + total);
    return step;
  }

  /**
   * The validators, each checked now (a bad validation set must stop the run before its first
   * step).
   */
  private List<Validator> checkedValidators(SampleSet train) throws IOException {
    List<Validator> validators = task.validators();
    for (Validator v : validators) {
      v.check();
    }
    if (!train.identities().isEmpty()) {
      TrainingIdentities.write(dir.root(), train.identities());
      Set<String> trained = Set.copyOf(train.identities());
      validators.forEach(v -> v.overlapWarning(trained).ifPresent(listener::message));
    }
    return validators;
  }

  /** The training data in a few words, for the start of a log. */
  private String describeData() {
    TrainConfig.Data d = config.data();
    return config.task() + " data " + d.type() + (d.path() == null ? "" : " " + d.path());
  }

  /** The summary a finished run left (its validation details stay in results.json). */
  private TrainingResult finishedResult() throws IOException {
    JsonNode r = RunDirectory.readJsonObject(dir.results());
    JsonNode m = RunDirectory.readJsonObject(dir.model().resolve("model.json"));
    return new TrainingResult(
        List.of(),
        r.path("first_loss").asDouble(Double.NaN),
        r.path("last_loss").asDouble(Double.NaN),
        r.path("samples_per_second").asDouble(Double.NaN),
        r.path("mean_support").asDouble(Double.NaN),
        r.path("steps").asLong(),
        r.path("skipped_samples").asLong(),
        m.path("classes").asInt(),
        true);
  }

  private void recordSkipped(UnreadableSampleException e, AtomicLong count) {
    long n = count.incrementAndGet();
    if (n <= 20) {
      listener.message("skipped unreadable sample " + e.getMessage());
    } else if (n == 21) {
      listener.message(
          "more unreadable samples are skipped silently; their count is in metrics.jsonl ('skipped')");
    }
  }

  private void writeModel(Block backbone, SampleSet train) throws IOException {
    dir.writeModel(
        d -> {
          AtomicFiles.write(
              d.resolve("backbone.params"),
              out -> backbone.saveParameters(new DataOutputStream(out)));
          Map<String, Object> info = new LinkedHashMap<>();
          info.put("task", config.task());
          info.put("backbone", config.model().backbone());
          info.put("embedding_dim", config.model().embeddingDim());
          info.put("sample_shape", train.sampleShape());
          info.put("loss", config.loss());
          info.put("classes", train.numClasses());
          info.put("config", resolvedConfig);
          AtomicFiles.writeString(d.resolve("model.json"), Json.pretty(info));
          DjlModels.save(backbone, Models.djlArguments(config), d.resolve(Models.DJL_FOLDER));
        });
  }

  private void writeResults(TrainingResult r) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("loss", config.loss());
    out.put("steps", r.steps());
    out.put("first_loss", r.firstLoss());
    out.put("last_loss", r.lastLoss());
    out.put("samples_per_second", r.samplesPerSecond());
    out.put("mean_support", r.meanSupport());
    out.put("skipped_samples", r.skippedSamples());
    List<Map<String, Object>> v = new ArrayList<>();
    for (ValidationResult x : r.validation()) {
      v.add(x.summary());
    }
    out.put("validation", v);
    AtomicFiles.writeString(dir.results(), Json.pretty(out));
  }

  static Shape shape(long batch, long[] sample) {
    long[] s = new long[sample.length + 1];
    s[0] = batch;
    System.arraycopy(sample, 0, s, 1, sample.length);
    return new Shape(s);
  }
}
