package io.qmargin.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.UserInputException;
import io.qmargin.data.SampleSet;
import io.qmargin.data.UnreadableSampleException;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.eval.Progress;
import io.qmargin.head.HeadSettings;
import io.qmargin.head.HeadStep;
import io.qmargin.head.ScreeningPrecision;
import io.qmargin.head.SgdSettings;
import io.qmargin.head.TrainableHead;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import io.qmargin.loss.LossSpec;
import io.qmargin.loss.VerificationLoss;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One training run: a backbone and a {@link TrainableHead} trained with SGD on a {@link SampleSet},
 * with the learning-rate schedule, gradient clipping, margin ramp, A3M prototype re-initialisation,
 * validation, logs and checkpoints of its {@link TrainConfig}, in a {@link RunDirectory}.
 *
 * <p><b>Determinism and resume.</b> Everything random is a function of the seed and the step: the
 * initial weights (engine seeded before initialisation), the batch of step t (epoch order and
 * augmentation, see {@link BatchLoader}), the engine's generator for dropout (re-seeded from
 * (seed, t) before each step) and Partial FC's class sample. A checkpoint therefore needs only the
 * weights, the optimizer state (backbone momentum, prototypes and their momentum) and the step; a
 * run resumed from it takes the same steps as one that was never interrupted. The checkpoint also
 * carries the running sums behind results.json (first loss, support sizes, samples, seconds), so the
 * results of a resumed run are the uninterrupted run's too.
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

  public TrainingRun(TrainConfig config, JsonNode resolvedConfig, Path runDir, TrainingTask task,
      TrainingListener listener) {
    this.config = config;
    this.resolvedConfig = resolvedConfig;
    this.dir = new RunDirectory(runDir);
    this.task = task;
    this.listener = listener;
  }

  /**
   * Trains (from the newest intact checkpoint when {@code resume}) and returns the final results,
   * holding the run directory's lock throughout. Resuming a finished run changes nothing and returns
   * the summary it left (see {@link TrainingResult#alreadyFinished()}).
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
      listener.message(dir.root() + " is a finished run (" + dir.results().getFileName() + " is written): nothing to resume");
      return finishedResult();
    }
    if (!resume && Files.exists(dir.checkpoints())) {
      throw new UserInputException(dir.root() + " already holds a run: resume it with --resume, or choose another --out");
    }
    if (!resume) {
      AtomicFiles.writeString(dir.config(), ConfigLoader.toYaml(resolvedConfig));
    }
    Optional<Path> checkpoint = resume ? dir.checkpointToResume(listener::message) : Optional.empty();
    SampleSet train = task.trainingSet();
    List<Validator> validators = task.validators();
    for (Validator v : validators) {
      v.check(); // a bad validation set must stop the run now, not at its first validation
    }
    if (!train.identities().isEmpty()) {
      TrainingIdentities.write(dir.root(), train.identities());
      Set<String> trained = Set.copyOf(train.identities());
      validators.forEach(v -> v.overlapWarning(trained).ifPresent(listener::message));
    }
    int batch = config.batchSize();
    VerificationLoss loss = LossSpec.parse(config.loss());
    AtomicLong skipped = new AtomicLong();
    try (NDManager manager = NDManager.newBaseManager();
        BatchLoader loader = new BatchLoader(train, config.seed(), batch, config.loaderThreads(),
            e -> recordSkipped(e, skipped))) {
      Engine.getInstance().setRandomSeed((int) config.seed());
      Block backbone = task.backbone();
      backbone.initialize(manager, DataType.FLOAT32, shape(batch, train.sampleShape()));
      trackGradients(backbone);
      TrainConfig.Head hc = config.head();
      TrainConfig.Optimizer oc = config.optimizer();
      SgdSettings sgdSettings = new SgdSettings(oc.momentum(), oc.weightDecay());
      int dim = config.model().embeddingDim();
      TrainableHead head;
      try (NDManager init = manager.newSubManager()) {
        NDArray w = init.randomNormal(0f, (float) hc.initStd(), new Shape(train.numClasses(), dim), DataType.FLOAT32);
        head = new HeadSettings(hc.type(), hc.blockRows(), hc.sampleRate(), sgdSettings,
            ScreeningPrecision.parse(hc.screening()))
            .create(manager, loss, w, config.seed());
      }
      try (head; ParameterSgd sgd = new ParameterSgd(manager, backbone, oc.momentum(), oc.weightDecay(), oc.gradClip())) {
        long stepsPerEpoch = loader.batchesPerEpoch();
        LearningRateSchedule schedule = LearningRateSchedule.of(oc, config.schedule(), stepsPerEpoch);
        long total = schedule.totalSteps();
        long validateEvery = config.validation().everyEpochs() <= 0 ? Long.MAX_VALUE
            : Math.max(1, Math.round(config.validation().everyEpochs() * stepsPerEpoch));
        RunState state = new RunState();
        boolean revalidate = false;
        if (checkpoint.isPresent()) {
          state = restore(checkpoint.get(), backbone, manager, sgd, head);
          skipped.set(state.skipped);
          // A validation step's checkpoint is written before its validation, which runs again here.
          revalidate = isValidationStep(state.step, validateEvery, total);
          dir.truncateLog(dir.metrics(), state.step);
          dir.truncateLog(dir.validation(), revalidate ? state.step - 1 : state.step);
          listener.message("resumed from " + checkpoint.get() + " at step " + state.step + " of " + total);
        } else if (resume) {
          listener.message("no checkpoint in " + dir.checkpoints() + ": starting from the beginning");
          Files.deleteIfExists(dir.metrics());
          Files.deleteIfExists(dir.validation());
        }
        Embedder embedder = new Embedder(backbone, manager, train.sampleShape(), batch);
        ParameterStore store = new ParameterStore(manager, false);
        listener.started(new TrainingListener.Start(describeData(), train.numClasses(), train.size(), state.step,
            total, dir.root()));
        List<ValidationResult> lastValidation = new ArrayList<>();
        if (revalidate) {
          lastValidation = validate(validators, embedder, state.step);
        }
        double secondsBefore = state.seconds;
        long begin = System.nanoTime();
        for (long step = state.step; step < total; step++) {
          long epoch = step / stepsPerEpoch;
          int index = (int) (step % stepsPerEpoch);
          if (index == 0) {
            maybeReinitAtEpoch(epoch, state, train, embedder, head, stepsPerEpoch);
          }
          long t0 = System.nanoTime();
          BatchLoader.Batch b = loader.get(epoch, index);
          double dataSeconds = (System.nanoTime() - t0) / 1e9;
          if (b.count() < 2) {
            listener.message("step " + (step + 1) + ": fewer than 2 readable samples in the batch, skipped");
            state.step = step + 1;
            continue;
          }
          Engine.getInstance().setRandomSeed((int) Preprocessing.mix(config.seed(), step, 0x57e9L));
          double lr = schedule.at(step);
          double marginFactor = marginFactor(step, stepsPerEpoch);
          head.setLoss(loss.withMarginScale(marginFactor));
          double lossValue;
          HeadStep hs;
          double gradNorm;
          String diagnosis = "";
          try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(b.data(), shape(b.count(), train.sampleShape()));
            long[] y = new long[b.count()];
            for (int i = 0; i < y.length; i++) {
              y[i] = b.labels()[i];
            }
            NDArray labels = scope.create(y);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              NDArray emb = backbone.forward(store, new NDList(x), true).singletonOrThrow();
              hs = head.forward(emb, labels);
              lossValue = hs.loss().getFloat();
              if (!Double.isFinite(lossValue)) {
                diagnosis = diagnose(b.data(), emb);
              } else {
                gc.backward(hs.loss());
              }
            }
            if (!diagnosis.isEmpty()) {
              throw new UserInputException(String.format(Locale.ROOT,
                  "training stopped at step %d: the loss is %s (%s); lower optimizer.lr or lengthen "
                      + "schedule.warmup_epochs and train again (last checkpoint: %s)",
                  step + 1, lossValue, diagnosis, dir.latestCheckpoint().map(Path::toString).orElse("none")));
            }
            gradNorm = sgd.step(lr);
            head.update(lr * oc.prototypeLrScale());
          }
          double seconds = (System.nanoTime() - t0) / 1e9;
          state.samples += b.count();
          state.supportSum += hs.meanSupport();
          state.lossSteps++;
          if (state.lossSteps == 1) {
            state.firstLoss = lossValue;
          }
          state.lastLoss = lossValue;
          state.step = step + 1;
          trackTargetOut(hs.fractionTargetOut(), state);
          Map<String, Object> rec = new LinkedHashMap<>();
          rec.put("step", step + 1);
          rec.put("epoch", (double) (step + 1) / stepsPerEpoch);
          rec.put("lr", lr);
          rec.put("loss", lossValue);
          rec.put("grad_norm", gradNorm);
          rec.put("samples_per_second", b.count() / seconds);
          rec.put("data_wait_seconds", dataSeconds);
          rec.put("mean_support", hs.meanSupport());
          rec.put("target_out", hs.fractionTargetOut());
          if (hs.candidateGrowths() > 0) {
            rec.put("k_growths", hs.candidateGrowths());
          }
          if (marginFactor < 1) {
            rec.put("margin_factor", marginFactor);
          }
          rec.put("skipped", skipped.get());
          if ((step + 1) % Math.max(1, config.logEverySteps()) == 0 || step + 1 == total) {
            dir.append(dir.metrics(), rec);
          }
          listener.step(step + 1, rec);
          if (state.pendingReinit) {
            reinitialise(state, train, embedder, head, epoch, "p_y = 0 for more than "
                + config.a3mReinit().targetOutThreshold() + " of the samples over " + config.a3mReinit().patienceSteps()
                + " steps", step + 1);
          }
          boolean epochEnd = (step + 1) % stepsPerEpoch == 0;
          boolean validationStep = isValidationStep(step + 1, validateEvery, total);
          state.skipped = skipped.get();
          // Checkpoint first: a validation that fails must not cost the run its weights.
          if (epochEnd || validationStep || (step + 1) % Math.max(1, config.checkpointEverySteps()) == 0) {
            state.seconds = secondsBefore + (System.nanoTime() - begin) / 1e9;
            saveCheckpoint(state, backbone, sgd, head);
          }
          if (validationStep) {
            lastValidation = validate(validators, embedder, step + 1);
          }
        }
        if (lastValidation.isEmpty() && !validators.isEmpty()) {
          lastValidation = validate(validators, embedder, state.step);
        }
        writeModel(backbone, train);
        double elapsed = secondsBefore + (System.nanoTime() - begin) / 1e9;
        TrainingResult result = new TrainingResult(lastValidation, state.firstLoss, state.lastLoss,
            state.samples == 0 ? Double.NaN : state.samples / elapsed, state.supportSum / Math.max(1, state.lossSteps),
            total, skipped.get(), train.numClasses(), false);
        writeResults(result);
        return result;
      }
    }
  }

  /** Step {@code s} (1-based) ends with a validation: every {@code validateEvery} steps, and the last. */
  private static boolean isValidationStep(long s, long validateEvery, long total) {
    return s > 0 && (s % validateEvery == 0 || s == total);
  }

  /** The training data in a few words, for the start of a log. */
  private String describeData() {
    TrainConfig.Data d = config.data();
    return config.task() + " data " + d.type() + (d.path() == null ? "" : " " + d.path());
  }

  /** The summary a finished run left (its validation details stay in results.json). */
  private TrainingResult finishedResult() throws IOException {
    JsonNode r = readJson(dir.results());
    JsonNode m = readJson(dir.model().resolve("model.json"));
    return new TrainingResult(List.of(), r.path("first_loss").asDouble(Double.NaN),
        r.path("last_loss").asDouble(Double.NaN), r.path("samples_per_second").asDouble(Double.NaN),
        r.path("mean_support").asDouble(Double.NaN), r.path("steps").asLong(), r.path("skipped_samples").asLong(),
        m.path("classes").asInt(), true);
  }

  /** A JSON file this run wrote; unreadable or empty is a clear error naming it. */
  private static JsonNode readJson(Path file) throws IOException {
    JsonNode n;
    try {
      n = Json.mapper().readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UserInputException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (n == null || !n.isObject()) {
      throw new UserInputException(file + ": empty or not a JSON object");
    }
    return n;
  }

  /** Where a non-finite loss comes from: the inputs, the backbone, or the head. */
  private static String diagnose(float[] inputs, NDArray embeddings) {
    for (float v : inputs) {
      if (!Float.isFinite(v)) {
        return "the input batch holds non-finite values";
      }
    }
    for (float v : embeddings.toFloatArray()) {
      if (!Float.isFinite(v)) {
        return "the backbone's output is not finite";
      }
    }
    return "inputs and embeddings are finite: the head's loss is not";
  }

  private double marginFactor(long step, long stepsPerEpoch) {
    TrainConfig.MarginSchedule m = config.marginSchedule();
    if (m.rampEpochs() <= 0 && m.startEpoch() <= 0) {
      return 1;
    }
    double epoch = (double) step / stepsPerEpoch;
    if (epoch < m.startEpoch()) {
      return 0;
    }
    return m.rampEpochs() <= 0 ? 1 : Math.min(1, (epoch - m.startEpoch()) / m.rampEpochs());
  }

  private void recordSkipped(UnreadableSampleException e, AtomicLong count) {
    long n = count.incrementAndGet();
    if (n <= 20) {
      listener.message("skipped unreadable sample " + e.getMessage());
    } else if (n == 21) {
      listener.message("more unreadable samples are skipped silently; their count is in metrics.jsonl ('skipped')");
    }
  }

  // ---- A3M prototype re-initialisation (docs/method.md section 5, project choice) ----

  private void trackTargetOut(double fraction, RunState state) {
    TrainConfig.A3mReinit a = config.a3mReinit();
    if (a.targetOutThreshold() <= 0 || state.reinits >= a.maxTimes()) {
      return;
    }
    state.stepsAbove = fraction > a.targetOutThreshold() ? state.stepsAbove + 1 : 0;
    if (state.stepsAbove >= Math.max(1, a.patienceSteps())) {
      state.pendingReinit = true;
    }
  }

  private void maybeReinitAtEpoch(long epoch, RunState state, SampleSet train, Embedder embedder, TrainableHead head,
      long stepsPerEpoch) {
    for (double at : config.a3mReinit().atEpochs()) {
      if (Math.round(at) == epoch && epoch > 0 && state.reinitEpochs.add(epoch)) {
        reinitialise(state, train, embedder, head, epoch, "configured at epoch " + epoch, epoch * stepsPerEpoch);
      }
    }
  }

  /** W_j ← normalised mean embedding of class j over one pass of the training data. */
  private void reinitialise(RunState state, SampleSet train, Embedder embedder, TrainableHead head, long epoch,
      String reason, long step) {
    long t0 = System.nanoTime();
    int n = train.size();
    float[] e;
    boolean[] readable = new boolean[n];
    long[] sampleShape = train.sampleShape();
    int sampleSize = 1;
    for (long s : sampleShape) {
      sampleSize *= (int) s;
    }
    int size = sampleSize;
    try (Progress p = listener.progress().start("A3M re-init: embedding the training set", n)) {
      e = embedder.embed(n, i -> {
        try {
          float[] x = train.load(i, epoch);
          readable[i] = true;
          return x;
        } catch (UnreadableSampleException bad) {
          return new float[size];
        }
      }, false, p);
    }
    int dim = e.length / n;
    int classes = train.numClasses();
    float[] sums = new float[Math.multiplyExact(classes, dim)];
    int[] counts = new int[classes];
    for (int i = 0; i < n; i++) {
      if (!readable[i]) {
        continue;
      }
      int c = train.label(i);
      counts[c]++;
      for (int k = 0; k < dim; k++) {
        sums[c * dim + k] += e[i * dim + k];
      }
    }
    int chunk = 65536;
    int reset = 0;
    for (int start = 0; start < classes; start += chunk) {
      int end = Math.min(classes, start + chunk);
      int[] rows = java.util.stream.IntStream.range(start, end).filter(c -> counts[c] > 0).toArray();
      float[] values = new float[rows.length * dim];
      for (int r = 0; r < rows.length; r++) {
        System.arraycopy(sums, rows[r] * dim, values, r * dim, dim);
        io.qmargin.eval.protocol.Vectors.normalizeRow(values, r, dim);
      }
      head.resetRows(rows, values);
      reset += rows.length;
    }
    state.reinits++;
    state.stepsAbove = 0;
    state.pendingReinit = false;
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("step", step);
    event.put("event", "a3m_reinit");
    event.put("reason", reason);
    event.put("classes_reset", reset);
    event.put("seconds", seconds);
    dir.append(dir.metrics(), event);
    listener.message(String.format(Locale.ROOT, "A3M: re-initialised %,d prototypes to class-mean embeddings (%s), %.1f s",
        reset, reason, seconds));
  }

  // ---- validation, checkpoints, final model ----

  private List<ValidationResult> validate(List<Validator> validators, Embedder embedder, long step) {
    List<ValidationResult> results = new ArrayList<>();
    for (Validator v : validators) {
      ValidationResult r = v.evaluate(embedder, listener.progress());
      results.add(r);
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("step", step);
      rec.putAll(r.summary());
      dir.append(dir.validation(), rec);
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "step %d, %s: ", step, r.protocol()));
      if (r.accuracy() != null) {
        line.append(r.accuracy().headline()).append(", "); // pair lists lead with their k-fold accuracy
      }
      line.append(String.format(Locale.ROOT, "EER %.2f%%", 100 * r.metrics().eer()));
      for (double far : config.validation().far()) {
        line.append(", TAR@FAR=").append(ValidationResult.formatFar(far)).append(' ').append(r.tarAtText(far));
      }
      listener.message(line.toString());
    }
    return results;
  }

  /** What a checkpoint carries besides the weights: the step, and the running sums results.json reports. */
  private static final class RunState {
    long step;
    long skipped;
    double firstLoss = Double.NaN;
    double lastLoss = Double.NaN;
    double supportSum;
    long lossSteps;
    long samples;
    double seconds;
    int reinits;
    int stepsAbove;
    boolean pendingReinit;
    java.util.Set<Long> reinitEpochs = new java.util.TreeSet<>();
  }

  private void saveCheckpoint(RunState state, Block backbone, ParameterSgd sgd, TrainableHead head) throws IOException {
    dir.writeCheckpoint(state.step, d -> {
      AtomicFiles.write(d.resolve("backbone.params"), out -> backbone.saveParameters(new DataOutputStream(out)));
      sgd.save(d.resolve("optimizer"));
      head.save(d.resolve("head"));
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("step", state.step);
      s.put("seed", config.seed());
      s.put("skipped", state.skipped);
      s.put("a3m_reinits", state.reinits);
      s.put("a3m_steps_above", state.stepsAbove);
      s.put("a3m_reinit_epochs", new ArrayList<>(state.reinitEpochs));
      s.put("loss_steps", state.lossSteps);
      if (state.lossSteps > 0) {
        s.put("first_loss", state.firstLoss);
        s.put("last_loss", state.lastLoss);
      }
      s.put("support_sum", state.supportSum);
      s.put("samples", state.samples);
      s.put("seconds", state.seconds);
      s.put("random_state", "every random draw derives from (seed, step): nothing else to store");
      AtomicFiles.writeString(d.resolve("state.json"), Json.pretty(s));
    }, KEEP_CHECKPOINTS);
  }

  private RunState restore(Path checkpoint, Block backbone, NDManager manager, ParameterSgd sgd, TrainableHead head)
      throws IOException {
    Path stateFile = checkpoint.resolve("state.json");
    JsonNode s = readJson(stateFile);
    for (String key : new String[] {"step", "seed", "skipped", "a3m_reinits", "a3m_steps_above", "a3m_reinit_epochs"}) {
      if (!s.has(key)) {
        throw new UserInputException(stateFile + ": no '" + key + "' (not a checkpoint state, or damaged)");
      }
    }
    if (s.get("seed").asLong() != config.seed()) {
      throw new UserInputException(checkpoint + ": written with seed " + s.get("seed").asLong() + ", the config has "
          + config.seed());
    }
    RunState state = new RunState();
    state.step = s.get("step").asLong();
    state.skipped = s.get("skipped").asLong();
    state.reinits = s.get("a3m_reinits").asInt();
    state.stepsAbove = s.get("a3m_steps_above").asInt();
    for (JsonNode e : s.get("a3m_reinit_epochs")) {
      state.reinitEpochs.add(e.asLong());
    }
    // Checkpoints of older versions lack the running sums: results.json then covers this segment only.
    state.lossSteps = s.path("loss_steps").asLong(0);
    state.firstLoss = s.path("first_loss").asDouble(Double.NaN);
    state.lastLoss = s.path("last_loss").asDouble(Double.NaN);
    state.supportSum = s.path("support_sum").asDouble(0);
    state.samples = s.path("samples").asLong(0);
    state.seconds = s.path("seconds").asDouble(0);
    TrainedModel.loadParameters(backbone, manager, checkpoint.resolve("backbone.params"));
    trackGradients(backbone);
    sgd.load(checkpoint.resolve("optimizer"));
    head.restore(checkpoint.resolve("head"));
    return state;
  }

  private void writeModel(Block backbone, SampleSet train) throws IOException {
    dir.writeModel(d -> {
      AtomicFiles.write(d.resolve("backbone.params"), out -> backbone.saveParameters(new DataOutputStream(out)));
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("task", config.task());
      info.put("backbone", config.model().backbone());
      info.put("embedding_dim", config.model().embeddingDim());
      info.put("sample_shape", train.sampleShape());
      info.put("loss", config.loss());
      info.put("classes", train.numClasses());
      info.put("config", resolvedConfig);
      AtomicFiles.writeString(d.resolve("model.json"), Json.pretty(info));
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

  /** Autograd tracks every parameter that trains (loading parameters replaces their arrays). */
  private static void trackGradients(Block backbone) {
    for (Pair<String, Parameter> p : backbone.getParameters()) {
      if (p.getValue().requiresGradient()) {
        p.getValue().getArray().setRequiresGradient(true);
      }
    }
  }

  static Shape shape(long batch, long[] sample) {
    long[] s = new long[sample.length + 1];
    s[0] = batch;
    System.arraycopy(sample, 0, s, 1, sample.length);
    return new Shape(s);
  }
}
