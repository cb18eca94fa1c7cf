package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.qmargin.EngineTest;
import io.qmargin.UserInputException;
import io.qmargin.head.HeadSettings;
import io.qmargin.head.HeadType;
import io.qmargin.head.ScreeningPrecision;
import io.qmargin.head.SgdSettings;
import io.qmargin.head.TrainableHead;
import io.qmargin.loss.LossSpec;
import io.qmargin.model.Backbones;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link TrainStep}: a non-finite loss stops training with its diagnosis, before any weight
 * changes.
 */
class TrainStepTest extends EngineTest {
  private static final long[] SAMPLE = {3, 32, 32};

  private TrainStep step(Block net, Optional<Path> lastCheckpoint) {
    net.initialize(manager, DataType.FLOAT32, TrainingRun.shape(4, SAMPLE));
    TrainableHead head =
        new HeadSettings(
                HeadType.DENSE, 8, 0.5, new SgdSettings(0.9, 5e-4), ScreeningPrecision.FP32)
            .create(
                manager,
                LossSpec.parse("arcface"),
                manager.randomNormal(0, 0.1f, new Shape(20, 16), DataType.FLOAT32),
                1);
    return new TrainStep(
        manager,
        net,
        SAMPLE,
        head,
        new ParameterSgd(manager, net, 0.9, 5e-4, 5),
        1,
        1,
        () -> lastCheckpoint);
  }

  @Test
  void aNonFiniteInputStopsTheStepNamingTheCauseAndTheCheckpointAndChangesNothing() {
    Block net = Backbones.create("small", 16, 0f, 32);
    try (TrainStep step =
        step(net, Optional.of(Path.of("runs", "a", "checkpoints", "step-00000002")))) {
      float[] x = new float[4 * 3 * 32 * 32];
      Arrays.fill(x, 0.25f);
      x[100] = Float.NaN;
      float[] before = net.getParameters().valueAt(0).getArray().toFloatArray();
      float[] prototypes = step.head().prototypeRows(new int[] {1, 5});

      assertThatThrownBy(() -> step.run(2, x, new int[] {1, 5, 5, 19}, 4, 0.01))
          .isInstanceOf(UserInputException.class)
          .hasMessageContaining("training stopped at step 3")
          .hasMessageContaining("the input batch holds non-finite values")
          .hasMessageContaining(
              "last checkpoint: " + Path.of("runs", "a", "checkpoints", "step-00000002"));
      assertThat(net.getParameters().valueAt(0).getArray().toFloatArray()).containsExactly(before);
      assertThat(step.head().prototypeRows(new int[] {1, 5})).containsExactly(prototypes);
    }
  }

  @Test
  void aFiniteStepMovesTheWeightsAndReportsItsLoss() {
    Block net = Backbones.create("small", 16, 0f, 32);
    try (TrainStep step = step(net, Optional.empty())) {
      float[] x = new float[4 * 3 * 32 * 32];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) Math.sin(i);
      }
      float[] before = net.getParameters().valueAt(0).getArray().toFloatArray();
      TrainStep.Outcome o = step.run(0, x, new int[] {1, 5, 5, 19}, 4, 0.01);
      assertThat(o.loss()).isFinite().isPositive();
      assertThat(o.gradNorm()).isFinite().isPositive();
      assertThat(net.getParameters().valueAt(0).getArray().toFloatArray()).isNotEqualTo(before);
    }
  }
}
