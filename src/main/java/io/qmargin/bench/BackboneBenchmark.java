package io.qmargin.bench;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.qmargin.UserInputException;
import io.qmargin.head.HeadedModel;
import io.qmargin.head.MarginHead;
import io.qmargin.loss.LossSpec;
import io.qmargin.model.Backbones;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Training and inference throughput of a backbone on random 112 × 112 faces. A training step is
 * forward through the backbone and a dense {@link MarginHead} (ArcFace by default) on random
 * labels, backward, and an SGD step (momentum 0.9, weight decay 5e-4, as insightface) in a
 * standard DJL {@link Trainer}; inference is the backbone's forward in inference mode, without
 * autograd. Each figure is the median over the timed steps, after warm-up steps (the first steps
 * pay for oneDNN's kernel selection and memory growth).
 */
public final class BackboneBenchmark {
  private BackboneBenchmark() {}

  public record Settings(String model, int embeddingDim, int batch, int warmupSteps, int steps, int classes,
      String loss, boolean inference, long seed) {
    public Settings {
      if (batch < 2) {
        throw new UserInputException("--batch must be at least 2 (BatchNorm trains on batch statistics)");
      }
      if (steps < 1 || warmupSteps < 0) {
        throw new UserInputException("--steps must be at least 1 and --warmup at least 0");
      }
    }
  }

  /** Step times in seconds (timed steps only) and the derived medians and images per second. */
  public record Result(String model, long parameters, int embeddingDim, int batch, int threads, int warmupSteps,
      double[] trainStepSeconds, double trainStepMedianSeconds, double trainImagesPerSecond,
      double[] inferenceBatchSeconds, double inferenceBatchMedianSeconds, double inferenceImagesPerSecond) {}

  public static Result run(Settings s, Consumer<String> log) {
    String model = Backbones.canonicalName(s.model());
    Engine.getInstance().setRandomSeed((int) s.seed());
    Shape inputShape = Backbones.inputShape(s.batch());
    Block backbone = Backbones.create(model, s.embeddingDim(), 0f);
    HeadedModel headed = new HeadedModel(backbone, new MarginHead(LossSpec.parse(s.loss()), s.classes(), s.embeddingDim()));
    DefaultTrainingConfig config = new DefaultTrainingConfig(HeadedModel.trainingLoss())
        .optOptimizer(Optimizer.sgd()
            .setLearningRateTracker(Tracker.fixed(0.01f))
            .optMomentum(0.9f)
            .optWeightDecays(5e-4f)
            .build());
    double[] train = new double[s.steps()];
    double[] infer = new double[s.inference() ? s.steps() : 0];
    long parameters;
    try (Model djlModel = Model.newInstance("backbone-bench")) {
      djlModel.setBlock(headed);
      try (Trainer trainer = djlModel.newTrainer(config)) {
        trainer.initialize(inputShape, new Shape(s.batch()));
        parameters = Backbones.parameterCount(backbone);
        log.accept(String.format(Locale.ROOT, "%s: %,d parameters; training %d warm-up + %d timed steps",
            model, parameters, s.warmupSteps(), s.steps()));
        NDManager manager = trainer.getManager();
        for (int step = 0; step < s.warmupSteps() + s.steps(); step++) {
          try (NDManager batch = manager.newSubManager()) {
            NDArray x = batch.randomUniform(-1f, 1f, inputShape);
            NDArray y = batch.randomInteger(0, s.classes(), new Shape(s.batch()), DataType.INT64);
            long start = System.nanoTime();
            try (GradientCollector gc = trainer.newGradientCollector()) {
              NDList out = trainer.forward(new NDList(x, y));
              NDArray loss = trainer.getLoss().evaluate(new NDList(y), out);
              gc.backward(loss);
            }
            trainer.step();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (step >= s.warmupSteps()) {
              train[step - s.warmupSteps()] = seconds;
            }
            log.accept(String.format(Locale.ROOT, "  train step %d%s: %.3f s", step + 1,
                step < s.warmupSteps() ? " (warm-up)" : "", seconds));
          }
        }
        if (s.inference()) {
          ParameterStore store = new ParameterStore(manager, false);
          for (int step = 0; step < s.warmupSteps() + s.steps(); step++) {
            try (NDManager batch = manager.newSubManager()) {
              NDArray x = batch.randomUniform(-1f, 1f, inputShape);
              long start = System.nanoTime();
              NDArray embeddings = backbone.forward(store, new NDList(x), false).singletonOrThrow();
              embeddings.toFloatArray(); // makes sure the work is done; copies only B × d floats
              double seconds = (System.nanoTime() - start) / 1e9;
              if (step >= s.warmupSteps()) {
                infer[step - s.warmupSteps()] = seconds;
              }
            }
          }
        }
      }
    }
    double trainMedian = median(train);
    double inferMedian = infer.length == 0 ? Double.NaN : median(infer);
    int threads = Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
    return new Result(model, parameters, s.embeddingDim(), s.batch(), threads, s.warmupSteps(), train, trainMedian,
        s.batch() / trainMedian, infer, inferMedian, s.batch() / inferMedian);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
