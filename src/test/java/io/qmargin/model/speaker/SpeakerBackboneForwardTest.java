package io.qmargin.model.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.qmargin.EngineTest;
import io.qmargin.UserInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The speaker backbones map (B, T, F) to (B, d) for any T with one initialised block, run forward
 * and backward in training mode and forward in inference mode with finite outputs.
 */
class SpeakerBackboneForwardTest extends EngineTest {

  private NDArray frames(int batch, int frames) {
    // Log-mel-like values: around −5 with spread 2.
    return manager.randomNormal(
        -5f, 2f, SpeakerBackbones.inputShape(batch, frames, 80), DataType.FLOAT32);
  }

  private Block initialised(String name, int dim, int batch, int frames) {
    Block block = SpeakerBackbones.create(name, dim, 80);
    block.initialize(manager, DataType.FLOAT32, SpeakerBackbones.inputShape(batch, frames, 80));
    return block;
  }

  private static boolean finite(NDArray a) {
    return !(a.isNaN().any().getBoolean() || a.isInfinite().any().getBoolean());
  }

  /**
   * Initialised for 200-frame crops, the same block takes 333 frames (and 200) in both modes:
   * pooling is over time, so nothing depends on T.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"resnet34, 256", "resnet18, 256", "ecapa512, 192", "ecapa1024, 192", "small, 256"})
  void oneBlockTakesAnyNumberOfFrames(String name, int dim) {
    Engine.getInstance().setRandomSeed(11);
    Block block = initialised(name, dim, 2, 200);
    ParameterStore store = new ParameterStore(manager, false);
    for (int t : new int[] {200, 333}) {
      Shape in = SpeakerBackbones.inputShape(2, t, 80);
      assertThat(block.getOutputShapes(new Shape[] {in})[0]).isEqualTo(new Shape(2, dim));
      NDArray x = frames(2, t);
      NDArray train = block.forward(store, new NDList(x), true).singletonOrThrow();
      assertThat(train.getShape()).as("training, T = " + t).isEqualTo(new Shape(2, dim));
      assertThat(finite(train)).as("finite in training, T = " + t).isTrue();
      NDArray infer = block.forward(store, new NDList(x), false).singletonOrThrow();
      assertThat(infer.getShape()).as("inference, T = " + t).isEqualTo(new Shape(2, dim));
      assertThat(finite(infer)).as("finite in inference, T = " + t).isTrue();
    }
  }

  /** Forward + backward in training mode: a finite, non-zero gradient reaches the first layer. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"small", "ecapa512", "resnet18"})
  void trainingGivesAGradientAtTheFirstLayer(String name) {
    Engine.getInstance().setRandomSeed(3);
    Block block = initialised(name, 64, 2, 120);
    Parameter first = block.getParameters().get(0).getValue();
    assertThat(first.getType()).isEqualTo(Parameter.Type.WEIGHT);
    NDArray projection = manager.randomNormal(new Shape(2, 64));
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray y =
          block
              .forward(new ParameterStore(manager, false), new NDList(frames(2, 150)), true)
              .singletonOrThrow();
      gc.backward(y.mul(projection).sum());
    }
    NDArray grad = first.getArray().getGradient();
    assertThat(finite(grad)).isTrue();
    assertThat(grad.abs().sum().getFloat()).as("|grad| at the first layer").isGreaterThan(0f);
  }

  /** Inference is deterministic and leaves the BN statistics; training updates them. */
  @Test
  void inferenceIsDeterministicAndKeepsBatchNormStatistics() {
    Block block = initialised("small", 32, 4, 100);
    ParameterStore store = new ParameterStore(manager, false);
    Parameter runningMean =
        block.getParameters().values().stream()
            .filter(p -> p.getType() == Parameter.Type.RUNNING_MEAN)
            .findFirst()
            .orElseThrow();
    NDArray before = runningMean.getArray().duplicate();
    NDArray x = frames(4, 100);
    NDArray a = block.forward(store, new NDList(x), false).singletonOrThrow();
    NDArray b = block.forward(store, new NDList(x), false).singletonOrThrow();
    assertThat(a.sub(b).abs().max().getFloat()).isEqualTo(0f);
    assertThat(runningMean.getArray().sub(before).abs().max().getFloat()).isEqualTo(0f);
    block.forward(store, new NDList(x), true);
    assertThat(runningMean.getArray().sub(before).abs().max().getFloat()).isGreaterThan(0f);
  }

  /**
   * Saved parameters load into a fresh block of the same name, which then gives the same
   * embeddings.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"small", "ecapa512", "resnet18"})
  void parametersRoundTrip(String name) throws IOException, MalformedModelException {
    Engine.getInstance().setRandomSeed(5);
    Block block = initialised(name, 32, 2, 100);
    ParameterStore store = new ParameterStore(manager, false);
    block.forward(store, new NDList(frames(2, 100)), true); // moves the BN running statistics
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    block.saveParameters(new DataOutputStream(bytes));
    Block copy = initialised(name, 32, 2, 100);
    copy.loadParameters(
        manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    NDArray x = frames(3, 140);
    NDArray a = block.forward(store, new NDList(x), false).singletonOrThrow();
    NDArray b = copy.forward(store, new NDList(x), false).singletonOrThrow();
    assertThat(a.sub(b).abs().max().getFloat()).isEqualTo(0f);
  }

  /**
   * PyTorch's default initialisation, as wespeaker leaves it: conv and linear weights and biases
   * uniform in ±1/√fan-in, BN γ = 1 and β = 0.
   */
  @Test
  void initialisationIsPyTorchsDefault() {
    Engine.getInstance().setRandomSeed(2);
    Block block = initialised("small", 256, 2, 50);
    var params = block.getParameters();
    double bound = 1 / Math.sqrt(80 * 5); // first conv: fan-in 80 mel bins × kernel 5
    for (int i = 0; i < 2; i++) { // weight (128, 80, 5), bias (128)
      NDArray a = params.valueAt(i).getArray();
      assertThat(a.abs().max().getFloat())
          .as(params.keyAt(i))
          .isLessThanOrEqualTo((float) bound)
          .isGreaterThan((float) (0.9 * bound));
    }
    NDArray gamma = params.valueAt(2).getArray();
    assertThat(params.valueAt(2).getType()).isEqualTo(Parameter.Type.GAMMA);
    assertThat(gamma.eq(1f).all().getBoolean()).isTrue();
    assertThat(params.valueAt(3).getArray().eq(0f).all().getBoolean()).as("beta").isTrue();
    NDArray lastWeight = params.valueAt(params.size() - 2).getArray(); // Linear(768 → 256)
    assertThat(lastWeight.getShape()).isEqualTo(new Shape(256, 768));
    assertThat(lastWeight.abs().max().getFloat())
        .isLessThanOrEqualTo((float) (1 / Math.sqrt(768)))
        .isGreaterThan((float) (0.9 / Math.sqrt(768)));
  }

  /**
   * The first ResNet conv sees a one-channel frequency × time image; ECAPA's first conv the mel
   * bins.
   */
  @Test
  void inputLayouts() {
    Block resnet = initialised("resnet18", 16, 2, 50);
    assertThat(resnet.getParameters().get(0).getValue().getShape())
        .isEqualTo(new Shape(32, 1, 3, 3));
    Block ecapa = initialised("ecapa512", 16, 2, 50);
    assertThat(ecapa.getParameters().get(0).getValue().getShape()).isEqualTo(new Shape(512, 80, 5));
    Block small = initialised("small", 16, 2, 50);
    assertThat(small.getParameters().get(0).getValue().getShape()).isEqualTo(new Shape(128, 80, 5));
  }

  @Test
  void wrongNumberOfMelBinsFailsAtInitialisation() {
    Block block = SpeakerBackbones.create("small", 32, 80);
    assertThatThrownBy(() -> block.initialize(manager, DataType.FLOAT32, new Shape(2, 200, 40)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(B, T, 80)");
  }

  @Test
  void namesAndErrors() {
    assertThat(SpeakerBackbones.names())
        .containsExactly("resnet34", "resnet18", "ecapa512", "ecapa1024", "small");
    assertThat(SpeakerBackbones.canonicalName(" ECAPA512 ")).isEqualTo("ecapa512");
    assertThat(SpeakerBackbones.defaultEmbeddingDim("ecapa1024")).isEqualTo(192);
    assertThat(SpeakerBackbones.defaultEmbeddingDim("resnet34")).isEqualTo(256);
    assertThat(SpeakerBackbones.inputShape(32, 200, 80)).isEqualTo(new Shape(32, 200, 80));
    assertThatThrownBy(() -> SpeakerBackbones.create("xvector", 256, 80))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("xvector")
        .hasMessageContaining("resnet34, resnet18, ecapa512, ecapa1024, small");
    assertThatThrownBy(() -> SpeakerBackbones.canonicalName(null))
        .isInstanceOf(UserInputException.class);
    assertThatThrownBy(() -> SpeakerBackbones.create("small", 0, 80))
        .isInstanceOf(UserInputException.class);
    assertThatThrownBy(() -> SpeakerBackbones.create("small", 256, 0))
        .isInstanceOf(UserInputException.class);
  }
}
