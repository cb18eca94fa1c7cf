package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.qmargin.EngineTest;
import io.qmargin.head.HeadSettings;
import io.qmargin.head.ScreeningPrecision;
import io.qmargin.head.HeadType;
import io.qmargin.head.SgdSettings;
import io.qmargin.head.TrainableHead;
import io.qmargin.loss.LossSpec;
import io.qmargin.model.Backbones;
import io.qmargin.model.speaker.SpeakerBackbones;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A training step leaves no engine array behind: the number of arrays the model's manager holds is
 * the same after 2 and after 6 steps. (An operation's result belongs to its first operand's manager;
 * a temporary computed from a parameter or the prototype matrix would otherwise live as long as the
 * model, and a long run would run out of memory.)
 */
class NoLeakTest extends EngineTest {

  @ParameterizedTest
  @CsvSource({"face, dense, arcface", "face, partial_fc, cosface", "face, sparse, 'qmargin:alpha=1.25,s=35,m=0.2'",
      "small, dense, arcface", "ecapa512, dense, 'qmargin:alpha=1.5,s=10,m=0.2'"})
  void stepsDoNotAccumulateArrays(String backbone, String type, String loss) {
    boolean face = backbone.equals("face");
    Block net = face ? Backbones.create("small", 16, 0f, 32) : SpeakerBackbones.create(backbone, 16, 40);
    Shape input = face ? new Shape(4, 3, 32, 32) : new Shape(4, 50, 40);
    net.initialize(manager, DataType.FLOAT32, input);
    for (Pair<String, Parameter> p : net.getParameters()) {
      if (p.getValue().requiresGradient()) {
        p.getValue().getArray().setRequiresGradient(true);
      }
    }
    HeadType kind = HeadType.valueOf(type.toUpperCase(java.util.Locale.ROOT));
    TrainableHead head = new HeadSettings(kind, 8, 0.5, new SgdSettings(0.9, 5e-4), ScreeningPrecision.auto())
        .create(manager, LossSpec.parse(loss), manager.randomNormal(0, 0.1f, new Shape(20, 16), DataType.FLOAT32), 1);
    ParameterSgd sgd = new ParameterSgd(manager, net, 0.9, 5e-4, 5);
    ParameterStore store = new ParameterStore(manager, false);
    int after2 = 0;
    for (int step = 0; step < 6; step++) {
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = scope.randomUniform(-1, 1, input);
        NDArray y = scope.create(new long[] {1, 5, 5, 19});
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(head.forward(net.forward(store, new NDList(x), true).singletonOrThrow(), y).loss());
        }
        sgd.step(0.01);
        head.update(0.01);
      }
      if (step == 1) {
        after2 = manager.getManagedArrays().size();
      }
    }
    assertThat(manager.getManagedArrays().size()).isEqualTo(after2);
  }
}
