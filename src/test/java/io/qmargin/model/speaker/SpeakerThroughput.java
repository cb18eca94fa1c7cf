package io.qmargin.model.speaker;

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
import io.qmargin.head.HeadedModel;
import io.qmargin.head.MarginHead;
import io.qmargin.loss.LossSpec;
import io.qmargin.model.Backbones;
import java.util.Arrays;
import java.util.Locale;

/**
 * Rough training and inference throughput of a speaker backbone on random log-mel crops (not a
 * test: a main for measuring by hand, as {@code qmargin bench backbone} does for faces). A training
 * step is forward through backbone + dense ArcFace head on 1,000 classes, backward and SGD
 * (momentum 0.9) in a DJL Trainer; inference is the backbone alone in inference mode. Prints the
 * median step time of the timed steps.
 *
 * <pre>
 * java -Xmx1g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 \
 *   -cp target/classes:target/test-classes:$(cat target/classpath.txt) \
 *   io.qmargin.model.speaker.SpeakerThroughput NAME [BATCH [FRAMES [WARMUP [STEPS]]]]
 * </pre>
 */
public final class SpeakerThroughput {
  private SpeakerThroughput() {}

  public static void main(String[] args) {
    String name = SpeakerBackbones.canonicalName(args[0]);
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int frames = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int steps = args.length > 4 ? Integer.parseInt(args[4]) : 5;
    int dim = SpeakerBackbones.defaultEmbeddingDim(name);
    int classes = 1000;
    Engine.getInstance().setRandomSeed(1);
    Shape input = SpeakerBackbones.inputShape(batch, frames, SpeakerBackbones.DEFAULT_FEATURE_DIM);
    Block backbone = SpeakerBackbones.create(name, dim, SpeakerBackbones.DEFAULT_FEATURE_DIM);
    HeadedModel headed =
        new HeadedModel(backbone, new MarginHead(LossSpec.parse("arcface"), classes, dim));
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(HeadedModel.trainingLoss())
            .optOptimizer(
                Optimizer.sgd()
                    .setLearningRateTracker(Tracker.fixed(0.01f))
                    .optMomentum(0.9f)
                    .build());
    double[] train = new double[steps];
    double[] infer = new double[steps];
    try (Model model = Model.newInstance("speaker-throughput")) {
      model.setBlock(headed);
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(input, new Shape(batch));
        System.out.printf(
            Locale.ROOT,
            "%s: %,d parameters, d = %d, B = %d, T = %d%n",
            name,
            Backbones.parameterCount(backbone),
            dim,
            batch,
            frames);
        NDManager manager = trainer.getManager();
        for (int step = 0; step < warmup + steps; step++) {
          try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.randomNormal(-5f, 2f, input, DataType.FLOAT32);
            NDArray y = sub.randomInteger(0, classes, new Shape(batch), DataType.INT64);
            long start = System.nanoTime();
            try (GradientCollector gc = trainer.newGradientCollector()) {
              NDList out = trainer.forward(new NDList(x, y));
              gc.backward(trainer.getLoss().evaluate(new NDList(y), out));
            }
            trainer.step();
            double s = (System.nanoTime() - start) / 1e9;
            if (step >= warmup) {
              train[step - warmup] = s;
            }
            System.out.printf(Locale.ROOT, "  train step %d: %.3f s%n", step + 1, s);
          }
        }
        ParameterStore store = new ParameterStore(manager, false);
        for (int step = 0; step < warmup + steps; step++) {
          try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.randomNormal(-5f, 2f, input, DataType.FLOAT32);
            long start = System.nanoTime();
            backbone.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
            double s = (System.nanoTime() - start) / 1e9;
            if (step >= warmup) {
              infer[step - warmup] = s;
            }
          }
        }
      }
    }
    double t = median(train);
    double i = median(infer);
    System.out.printf(
        Locale.ROOT,
        "%s: train %.3f s/step (%.0f crops/s), inference %.3f s/batch (%.0f crops/s)%n",
        name,
        t,
        batch / t,
        i,
        batch / i);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
