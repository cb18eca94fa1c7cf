package io.qmargin.head;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.qmargin.loss.LossSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The losses train in a standard DJL Trainer: a small MLP + head separates noisy clusters. */
class HeadedModelTrainingTest {

  @ParameterizedTest
  @ValueSource(strings = {"qmargin:alpha=1.25,s=16,m=0.1", "arcface:s=16,m=0.2", "sparsemax:s=8"})
  void lossFallsInADjlTrainer(String spec) {
    int classes = 10;
    int dim = 16;
    int batch = 64;
    ai.djl.engine.Engine.getInstance().setRandomSeed(7);
    try (NDManager manager = NDManager.newBaseManager();
        Model model = Model.newInstance("t")) {
      SequentialBlock backbone =
          new SequentialBlock()
              .add(Linear.builder().setUnits(32).build())
              .add(Activation::relu)
              .add(Linear.builder().setUnits(dim).build());
      model.setBlock(new HeadedModel(backbone, new MarginHead(LossSpec.parse(spec), classes, dim)));
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(HeadedModel.trainingLoss())
              .optOptimizer(
                  Optimizer.sgd()
                      .setLearningRateTracker(Tracker.fixed(0.1f))
                      .optMomentum(0.9f)
                      .build());
      NDArray centres = manager.randomNormal(new Shape(classes, 8));
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(batch, 8), new Shape(batch));
        double first = 0;
        double last = 0;
        for (int step = 0; step < 60; step++) {
          try (NDManager sub = manager.newSubManager()) {
            NDArray y =
                sub.randomInteger(
                    0, classes, new Shape(batch), ai.djl.ndarray.types.DataType.INT64);
            NDArray x = centres.get(y).add(sub.randomNormal(new Shape(batch, 8)).mul(0.3));
            try (GradientCollector gc = trainer.newGradientCollector()) {
              NDList out = trainer.forward(new NDList(x, y));
              NDArray loss = trainer.getLoss().evaluate(new NDList(y), out);
              gc.backward(loss);
              double v = loss.getFloat();
              if (step < 5) {
                first += v / 5;
              }
              if (step >= 55) {
                last += v / 5;
              }
            }
            trainer.step();
          }
        }
        assertThat(last)
            .as("%s: mean loss of the last 5 steps vs the first 5", spec)
            .isLessThan(0.5 * first);
      }
    }
  }
}
