package io.qmargin.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.IValue;
import io.qmargin.Bfloat16;
import io.qmargin.EngineTest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The hand-written TorchScript archive: the engine compiles it, and its methods take tensors,
 * integers, lists and opaque (bfloat16) values and return tensors and tuples; checked against
 * arithmetic done here.
 */
class TorchScriptModuleTest extends EngineTest {
  private static final String SOURCE =
      String.join(
          "\n",
          "class Probe(Module):",
          "  __parameters__ = []",
          "  __buffers__ = []",
          "  training : bool",
          "  def forward(self: __torch__.Probe, x: Tensor) -> Tensor:",
          "    return x",
          "  def scaled_sum(self: __torch__.Probe, a: Tensor, b: Tensor, k: int, f: float) -> Tensor:",
          "    return a * k + b * f",
          "  def pick(self: __torch__.Probe, x: Tensor, at: List[int]) -> Tuple[Tensor, Tensor]:",
          "    idx = torch.tensor(at)",
          "    return torch.index_select(x, 0, idx), torch.sum(x)",
          "  def to_bfloat16(self: __torch__.Probe, x: Tensor) -> Tensor:",
          "    return torch.to(x, 15)",
          "  def to_float(self: __torch__.Probe, x: Tensor) -> Tensor:",
          "    return torch.to(x, 6)",
          "  def broken(self: __torch__.Probe, x: Tensor) -> Tensor:",
          "    return torch.mm(x, x)",
          "");

  @Test
  void methodsTakeTensorsNumbersAndListsAndReturnTensorsAndTuples() {
    try (TorchScriptModule m = TorchScriptModule.compile(manager, "Probe", SOURCE)) {
      NDArray a = manager.create(new float[] {1, 2, 3});
      NDArray b = manager.create(new float[] {0.5f, -1, 4});
      assertThat(m.runTensor(manager, "scaled_sum", a, b, 3L, 2.0).toFloatArray())
          .containsExactly(4, 4, 17);
      NDArray[] out =
          m.runTensors(
              manager, "pick", manager.create(new float[] {10, 20, 30, 40}), new long[] {3, 0, 3});
      assertThat(out[0].toFloatArray()).containsExactly(40, 10, 40);
      assertThat(out[1].getFloat()).isEqualTo(100f);
    }
  }

  /** float32 → bfloat16 → float32 is round to nearest, ties to even, as done bit by bit here. */
  @Test
  void bfloat16ValuesStayInsideTheModuleAndRoundToNearestEven() {
    SplittableRandom rnd = new SplittableRandom(2);
    float[] x = new float[4096];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(-20, 20)));
    }
    // exact ties: 1 + 2^-8 goes down to 1 (even), 1 + 3·2^-8 up to 1 + 2^-6
    x[0] = 1 + 0x1p-8f;
    x[1] = 1 + 3 * 0x1p-8f;
    try (TorchScriptModule m = TorchScriptModule.compile(manager, "Probe", SOURCE);
        IValue rounded = m.run("to_bfloat16", manager.create(x))) {
      float[] back = m.runTensor(manager, "to_float", rounded).toFloatArray();
      for (int i = 0; i < x.length; i++) {
        assertThat(back[i]).as("x[%d] = %s", i, x[i]).isEqualTo(Bfloat16.round(x[i]));
      }
      assertThat(back[0]).isEqualTo(1f);
      assertThat(back[1]).isEqualTo(1 + 0x1p-6f);
    }
  }

  @Test
  void aFailingMethodReportsTheEnginesMessage() {
    try (TorchScriptModule m = TorchScriptModule.compile(manager, "Probe", SOURCE)) {
      NDArray v = manager.ones(new Shape(3));
      assertThatThrownBy(() -> m.run("broken", v).close())
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("mm");
    }
  }

  @Test
  void sourceThatDoesNotCompileIsRejectedWhenLoaded() {
    String bad = SOURCE.replace("return a * k + b * f", "return a * undefined_name");
    assertThatThrownBy(() -> TorchScriptModule.compile(manager, "Probe", bad).close())
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("undefined_name");
  }
}
