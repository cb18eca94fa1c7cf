package io.qmargin.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.qmargin.UserInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The backbones run forward and backward in both modes and map (B, 3, 112, 112) to (B, d). */
class BackboneForwardTest {

  private static NDArray faces(NDManager manager, int batch) {
    return manager.randomUniform(-1f, 1f, Backbones.inputShape(batch));
  }

  private static Block initialised(NDManager manager, String name, float dropout, int batch) {
    Block block = Backbones.create(name, 512, dropout);
    block.initialize(manager, DataType.FLOAT32, Backbones.inputShape(batch));
    return block;
  }

  /** Forward + backward in training mode: shape, finite output, a gradient at the first conv. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"iresnet18, 64", "mobilefacenet, 128", "small, 32"})
  void trainingForwardGivesEmbeddingsAndAGradientAtTheFirstConv(String name, long stemWidth) {
    Engine.getInstance().setRandomSeed(3);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = initialised(manager, name, 0.2f, 2);
      Parameter firstConv = block.getParameters().get(0).getValue();
      assertThat(firstConv.getShape()).isEqualTo(new Shape(stemWidth, 3, 3, 3));
      assertThat(block.getOutputShapes(new Shape[] {Backbones.inputShape(2)})[0])
          .isEqualTo(new Shape(2, 512));
      NDArray x = faces(manager, 2);
      // A random projection: the final BN makes the plain sum of the outputs constant in x.
      NDArray projection = manager.randomNormal(new Shape(2, 512));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y =
            block
                .forward(new ParameterStore(manager, false), new NDList(x), true)
                .singletonOrThrow();
        assertThat(y.getShape()).isEqualTo(new Shape(2, 512));
        assertThat(y.isInfinite().any().getBoolean() || y.isNaN().any().getBoolean()).isFalse();
        gc.backward(y.mul(projection).sum());
      }
      NDArray grad = firstConv.getArray().getGradient();
      assertThat(grad.abs().sum().getFloat()).as("|grad| at the first conv").isGreaterThan(0f);
      assertThat(grad.isNaN().any().getBoolean()).isFalse();
    }
  }

  /** insightface's final BN1d has its scale fixed at 1: no gradient, value 1. */
  @Test
  void iresnetFinalBatchNormScaleIsFixedAtOne() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = initialised(manager, "r18", 0f, 2);
      var params = block.getParameters();
      Parameter gamma =
          params.get(params.size() - 4).getValue(); // gamma, beta, runningMean, runningVar
      assertThat(gamma.getType()).isEqualTo(Parameter.Type.GAMMA);
      assertThat(gamma.getShape()).isEqualTo(new Shape(512));
      assertThat(gamma.requiresGradient()).isFalse();
      assertThat(gamma.getArray().eq(1f).all().getBoolean()).isTrue();
      assertThat(params.get(params.size() - 3).getValue().requiresGradient())
          .as("beta trains")
          .isTrue();
    }
  }

  /**
   * Inference is deterministic and leaves BN statistics alone; training mode uses batch statistics,
   * dropout, and updates the running statistics.
   */
  @ParameterizedTest
  @ValueSource(strings = {"small", "iresnet18"})
  void trainingAndInferenceModesDiffer(String name) {
    Engine.getInstance().setRandomSeed(5);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = initialised(manager, name, 0.5f, 4);
      ParameterStore store = new ParameterStore(manager, false);
      NDArray x = faces(manager, 4);
      Parameter runningMean =
          block.getParameters().values().stream()
              .filter(p -> p.getType() == Parameter.Type.RUNNING_MEAN)
              .findFirst()
              .orElseThrow();
      NDArray meanBefore = runningMean.getArray().duplicate();

      NDArray inferA = block.forward(store, new NDList(x), false).singletonOrThrow();
      NDArray inferB = block.forward(store, new NDList(x), false).singletonOrThrow();
      assertThat(inferA.getShape()).isEqualTo(new Shape(4, 512));
      assertThat(inferA.sub(inferB).abs().max().getFloat())
          .as("inference is deterministic")
          .isEqualTo(0f);
      assertThat(runningMean.getArray().sub(meanBefore).abs().max().getFloat())
          .as("inference keeps BN stats")
          .isEqualTo(0f);

      NDArray train = block.forward(store, new NDList(x), true).singletonOrThrow();
      assertThat(train.getShape()).isEqualTo(new Shape(4, 512));
      assertThat(train.sub(inferA).abs().max().getFloat())
          .as("training differs from inference")
          .isGreaterThan(1e-3f);
      assertThat(runningMean.getArray().sub(meanBefore).abs().max().getFloat())
          .as("training updates BN stats")
          .isGreaterThan(0f);
    }
  }

  /**
   * Forward (no backward) of the backbones not trained above, whose blocks are IResNet-18's and
   * MobileFaceNet's: in training mode the output is finite; in inference mode only the shape is
   * checked, because an untrained IResNet-100 overflows there exactly as in PyTorch (running
   * statistics still 0 and 1, and N(0, 0.1²) conv weights grow the activations at every block).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"iresnet34", "iresnet50", "iresnet100"})
  void forwardGivesEmbeddings(String name) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = initialised(manager, name, 0f, 2);
      ParameterStore store = new ParameterStore(manager, false);
      NDArray x = faces(manager, 2);
      NDArray train = block.forward(store, new NDList(x), true).singletonOrThrow();
      assertThat(train.getShape()).isEqualTo(new Shape(2, 512));
      assertThat(train.isNaN().any().getBoolean() || train.isInfinite().any().getBoolean())
          .isFalse();
      NDArray infer = block.forward(store, new NDList(x.get("0:1")), false).singletonOrThrow();
      assertThat(infer.getShape()).isEqualTo(new Shape(1, 512));
    }
  }

  @Test
  void namesAndAliases() {
    assertThat(Backbones.canonicalName("R50")).isEqualTo("iresnet50");
    assertThat(Backbones.canonicalName("r100")).isEqualTo("iresnet100");
    assertThat(Backbones.canonicalName("mbf")).isEqualTo("mobilefacenet");
    assertThat(Backbones.canonicalName("small")).isEqualTo("small");
    assertThatThrownBy(() -> Backbones.create("resnet50", 512, 0f))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("resnet50")
        .hasMessageContaining("iresnet18, iresnet34, iresnet50, iresnet100, mobilefacenet, small");
    assertThatThrownBy(() -> Backbones.create("small", 512, 1f))
        .isInstanceOf(UserInputException.class);
    assertThatThrownBy(() -> Backbones.create("small", 0, 0f))
        .isInstanceOf(UserInputException.class);
  }

  /** Per-channel slopes, as torch.nn.PReLU(C), with the exact gradient. */
  @Test
  void channelPreluHasOneSlopePerChannel() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ChannelPrelu prelu = new ChannelPrelu(2);
      prelu.initialize(manager, DataType.FLOAT32, new Shape(1, 2, 1, 2));
      Parameter slopes = prelu.getParameters().get(0).getValue();
      slopes.getArray().set(new float[] {0.25f, 0.5f});
      NDArray x = manager.create(new float[] {-4f, 2f, -2f, 3f}, new Shape(1, 2, 1, 2));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y =
            prelu
                .forward(new ParameterStore(manager, false), new NDList(x), true)
                .singletonOrThrow();
        assertThat(y.toFloatArray()).containsExactly(-1f, 2f, -1f, 3f);
        gc.backward(y.sum());
      }
      // dy/da_c = sum of min(x, 0) over channel c.
      assertThat(slopes.getArray().getGradient().toFloatArray()).containsExactly(-4f, -2f);
      NDArray y2 =
          prelu
              .forward(
                  new ParameterStore(manager, false),
                  new NDList(manager.create(new float[] {-1f, -1f}, new Shape(1, 2))),
                  false)
              .singletonOrThrow();
      assertThat(y2.toFloatArray()).containsExactly(-0.25f, -0.5f);
    }
  }
}
