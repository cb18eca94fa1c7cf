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
import io.qmargin.UserInputException;
import io.qmargin.data.Seeds;
import io.qmargin.head.HeadSettings;
import io.qmargin.head.HeadStep;
import io.qmargin.head.ScreeningPrecision;
import io.qmargin.head.SgdSettings;
import io.qmargin.head.TrainableHead;
import io.qmargin.io.AtomicFiles;
import io.qmargin.loss.LossSpec;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One training step, as {@code train} takes it: the engine's generator re-seeded from (seed, step)
 * (dropout), the backbone's forward with autograd, the head's forward and loss, backward, the
 * backbone's SGD step ({@link ParameterSgd}, with its gradient clipping) and the head's prototype
 * update at {@code lr × prototypeLrScale}. A non-finite loss stops training with a diagnosis of
 * where it comes from (inputs, backbone or head) before any weight changes.
 *
 * <p>The step owns the head and the optimizer (closing it closes them) and saves and restores them,
 * with the backbone's weights, in a checkpoint folder. Every temporary array of a step lives in a
 * sub-manager closed at its end, so the arrays the model's manager holds do not grow with steps.
 */
public final class TrainStep implements AutoCloseable {
  /**
   * What a step reports: its loss, the backbone's gradient norm (before clipping) and the head's
   * figures.
   */
  public record Outcome(
      double loss,
      double gradNorm,
      double meanSupport,
      double fractionTargetOut,
      long candidateGrowths) {}

  private final NDManager manager;
  private final Block backbone;
  private final long[] sampleShape;
  private final TrainableHead head;
  private final ParameterSgd sgd;
  private final double prototypeLrScale;
  private final long seed;
  private final Supplier<Optional<Path>> lastCheckpoint;
  private final ParameterStore store;

  /**
   * A step over an initialised {@code backbone} whose inputs have {@code sampleShape} per sample;
   * {@code lastCheckpoint} is named in the error of a non-finite loss (where the user resumes
   * from).
   */
  public TrainStep(
      NDManager manager,
      Block backbone,
      long[] sampleShape,
      TrainableHead head,
      ParameterSgd sgd,
      double prototypeLrScale,
      long seed,
      Supplier<Optional<Path>> lastCheckpoint) {
    this.manager = manager;
    this.backbone = backbone;
    this.sampleShape = sampleShape.clone();
    this.head = head;
    this.sgd = sgd;
    this.prototypeLrScale = prototypeLrScale;
    this.seed = seed;
    this.lastCheckpoint = lastCheckpoint;
    this.store = new ParameterStore(manager, false);
    trackGradients(backbone);
  }

  /**
   * The step {@code train} builds from {@code config} for a backbone initialised on {@code
   * manager}: the configured head on N(0, init_std²) prototypes for {@code classes} classes, and
   * the configured SGD for the backbone. The engine's generator must be seeded before (the
   * prototypes draw from it).
   */
  public static TrainStep create(
      NDManager manager,
      Block backbone,
      long[] sampleShape,
      int classes,
      TrainConfig config,
      Supplier<Optional<Path>> lastCheckpoint) {
    TrainConfig.Head hc = config.head();
    TrainConfig.Optimizer oc = config.optimizer();
    TrainableHead head;
    try (NDManager init = manager.newSubManager()) {
      NDArray w =
          init.randomNormal(
              0f,
              (float) hc.initStd(),
              new Shape(classes, config.model().embeddingDim()),
              DataType.FLOAT32);
      head =
          new HeadSettings(
                  hc.type(),
                  hc.blockRows(),
                  hc.sampleRate(),
                  new SgdSettings(oc.momentum(), oc.weightDecay()),
                  ScreeningPrecision.parse(hc.screening()))
              .create(manager, LossSpec.parse(config.loss()), w, config.seed());
    }
    ParameterSgd sgd;
    try {
      sgd = new ParameterSgd(manager, backbone, oc.momentum(), oc.weightDecay(), oc.gradClip());
    } catch (RuntimeException e) {
      head.close();
      throw e;
    }
    return new TrainStep(
        manager,
        backbone,
        sampleShape,
        head,
        sgd,
        oc.prototypeLrScale(),
        config.seed(),
        lastCheckpoint);
  }

  public TrainableHead head() {
    return head;
  }

  /**
   * Step {@code step} (0-based) on {@code count} samples of {@code data} with their class labels.
   */
  public Outcome run(long step, float[] data, int[] labels, int count, double lr) {
    try (NDManager scope = manager.newSubManager()) {
      long[] y = new long[count];
      for (int i = 0; i < count; i++) {
        y[i] = labels[i];
      }
      return run(
          step, scope.create(data, TrainingRun.shape(count, sampleShape)), scope.create(y), lr);
    }
  }

  /**
   * Step {@code step} (0-based) on a batch {@code x} with {@code labels} (int64); the step's
   * temporaries belong to the manager of {@code x}, which the caller closes after the step.
   */
  public Outcome run(long step, NDArray x, NDArray labels, double lr) {
    Engine.getInstance().setRandomSeed((int) Seeds.mix(seed, step, 0x57e9L));
    HeadStep hs;
    double loss;
    String diagnosis = "";
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray emb = backbone.forward(store, new NDList(x), true).singletonOrThrow();
      hs = head.forward(emb, labels);
      loss = hs.loss().getFloat();
      if (!Double.isFinite(loss)) {
        diagnosis = diagnose(x, emb);
      } else {
        gc.backward(hs.loss());
      }
    }
    if (!diagnosis.isEmpty()) {
      throw new UserInputException(
          String.format(
              Locale.ROOT,
              "training stopped at step %d: the loss is %s (%s); lower optimizer.lr or lengthen "
                  + "schedule.warmup_epochs and train again (last checkpoint: %s)",
              step + 1,
              loss,
              diagnosis,
              lastCheckpoint.get().map(Path::toString).orElse("none")));
    }
    double gradNorm = sgd.step(lr);
    head.update(lr * prototypeLrScale);
    return new Outcome(
        loss, gradNorm, hs.meanSupport(), hs.fractionTargetOut(), hs.candidateGrowths());
  }

  /**
   * Writes the backbone's weights, the optimizer's state and the head into checkpoint folder {@code
   * dir}.
   */
  public void save(Path dir) throws IOException {
    AtomicFiles.write(
        dir.resolve("backbone.params"), out -> backbone.saveParameters(new DataOutputStream(out)));
    sgd.save(dir.resolve("optimizer"));
    head.save(dir.resolve("head"));
  }

  /** Reads back what {@link #save} wrote. */
  public void restore(Path dir) throws IOException {
    TrainedModel.loadParameters(backbone, manager, dir.resolve("backbone.params"));
    trackGradients(backbone);
    sgd.load(dir.resolve("optimizer"));
    head.restore(dir.resolve("head"));
  }

  /** Where a non-finite loss comes from: the inputs, the backbone, or the head. */
  private static String diagnose(NDArray inputs, NDArray embeddings) {
    for (float v : inputs.toFloatArray()) {
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

  /** Autograd tracks every parameter that trains (loading parameters replaces their arrays). */
  private static void trackGradients(Block backbone) {
    for (Pair<String, Parameter> p : backbone.getParameters()) {
      if (p.getValue().requiresGradient()) {
        p.getValue().getArray().setRequiresGradient(true);
      }
    }
  }

  @Override
  public void close() {
    try (head) {
      sgd.close();
    }
  }
}
