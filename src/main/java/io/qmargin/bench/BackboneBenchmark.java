package io.qmargin.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.qmargin.UserInputException;
import io.qmargin.loss.LossSpec;
import io.qmargin.model.Backbones;
import io.qmargin.train.ConfigLoader;
import io.qmargin.train.TrainConfig;
import io.qmargin.train.TrainStep;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Training and inference throughput of a backbone on random 112 × 112 faces. A training step is
 * {@code train}'s own {@link TrainStep}, built from the default configuration with a dense head of
 * {@code classes} classes and the given loss (ArcFace by default): the backbone's forward, the
 * head's forward and loss on random labels, backward, {@link io.qmargin.train.ParameterSgd}'s step
 * (momentum, weight decay and gradient clipping as configured) and the prototype update, at a fixed
 * learning rate, from a batch copied in as {@code train} copies its batches. Inference is the
 * backbone's forward in inference mode, without autograd. Each figure is the median over the timed
 * steps, after warm-up steps (the first steps pay for oneDNN's kernel selection and memory growth).
 */
public final class BackboneBenchmark {
  /**
   * The timed steps' learning rate: fixed and small, so no random start diverges (the work is the
   * same).
   */
  static final double LEARNING_RATE = 0.01;

  private BackboneBenchmark() {}

  /** The benchmark's options, as {@code qmargin bench backbone} takes them. */
  public record Settings(
      String model,
      int embeddingDim,
      int batch,
      int warmupSteps,
      int steps,
      int classes,
      String loss,
      boolean inference,
      long seed) {
    public Settings {
      if (batch < 2) {
        throw new UserInputException(
            "--batch must be at least 2 (BatchNorm trains on batch statistics)");
      }
      if (steps < 1 || warmupSteps < 0) {
        throw new UserInputException("--steps must be at least 1 and --warmup at least 0");
      }
      if (classes < 1) {
        throw new UserInputException("--classes must be at least 1, got " + classes);
      }
      LossSpec.parse(loss); // a bad --loss fails here, naming the spec
    }

    /**
     * The training configuration of the benchmark: the defaults, with a dense head and these
     * settings.
     */
    TrainConfig trainConfig() {
      List<String> settings =
          List.of(
              "seed=" + seed,
              "loss=" + loss,
              "head.type=dense",
              "model.embedding_dim=" + embeddingDim);
      return ConfigLoader.bind(
          ConfigLoader.resolve((String) null, "bench backbone", settings), "bench backbone");
    }
  }

  /** Step times in seconds (timed steps only) and the derived medians and images per second. */
  public record Result(
      String model,
      long parameters,
      int embeddingDim,
      int batch,
      int threads,
      int warmupSteps,
      double[] trainStepSeconds,
      double trainStepMedianSeconds,
      double trainImagesPerSecond,
      double[] inferenceBatchSeconds,
      double inferenceBatchMedianSeconds,
      double inferenceImagesPerSecond) {}

  public static Result run(Settings s, Consumer<String> log) {
    String model = Backbones.canonicalName(s.model());
    TrainConfig config = s.trainConfig();
    Engine.getInstance().setRandomSeed((int) s.seed());
    Shape inputShape = Backbones.inputShape(s.batch());
    long[] sampleShape = inputShape.slice(1).getShape();
    Block backbone = Backbones.create(model, s.embeddingDim(), 0f);
    double[] train = new double[s.steps()];
    double[] infer = new double[s.inference() ? s.steps() : 0];
    long parameters;
    try (NDManager manager = NDManager.newBaseManager()) {
      backbone.initialize(manager, DataType.FLOAT32, inputShape);
      parameters = Backbones.parameterCount(backbone);
      log.accept(
          String.format(
              Locale.ROOT,
              "%s: %,d parameters; training %d warm-up + %d timed steps",
              model,
              parameters,
              s.warmupSteps(),
              s.steps()));
      Random random = new Random(s.seed());
      float[] x = new float[Math.toIntExact(inputShape.size())];
      int[] labels = new int[s.batch()];
      try (TrainStep step =
          TrainStep.create(manager, backbone, sampleShape, s.classes(), config, Optional::empty)) {
        for (int t = 0; t < s.warmupSteps() + s.steps(); t++) {
          for (int i = 0; i < x.length; i++) {
            x[i] = 2 * random.nextFloat() - 1;
          }
          for (int i = 0; i < labels.length; i++) {
            labels[i] = random.nextInt(s.classes());
          }
          long start = System.nanoTime();
          step.run(t, x, labels, s.batch(), LEARNING_RATE);
          double seconds = (System.nanoTime() - start) / 1e9;
          if (t >= s.warmupSteps()) {
            train[t - s.warmupSteps()] = seconds;
          }
          log.accept(
              String.format(
                  Locale.ROOT,
                  "  train step %d%s: %.3f s",
                  t + 1,
                  t < s.warmupSteps() ? " (warm-up)" : "",
                  seconds));
        }
      }
      if (s.inference()) {
        ParameterStore store = new ParameterStore(manager, false);
        for (int t = 0; t < s.warmupSteps() + s.steps(); t++) {
          try (NDManager batch = manager.newSubManager()) {
            NDArray input = batch.randomUniform(-1f, 1f, inputShape);
            long start = System.nanoTime();
            NDArray embeddings =
                backbone.forward(store, new NDList(input), false).singletonOrThrow();
            embeddings.toFloatArray(); // makes sure the work is done; copies only B × d floats
            double seconds = (System.nanoTime() - start) / 1e9;
            if (t >= s.warmupSteps()) {
              infer[t - s.warmupSteps()] = seconds;
            }
          }
        }
      }
    }
    double trainMedian = median(train);
    double inferMedian = infer.length == 0 ? Double.NaN : median(infer);
    int threads =
        Integer.getInteger(
            "ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
    return new Result(
        model,
        parameters,
        s.embeddingDim(),
        s.batch(),
        threads,
        s.warmupSteps(),
        train,
        trainMedian,
        s.batch() / trainMedian,
        infer,
        inferMedian,
        s.batch() / inferMedian);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
