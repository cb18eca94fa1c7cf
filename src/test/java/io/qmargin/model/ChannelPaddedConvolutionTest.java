package io.qmargin.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.qmargin.EngineTest;
import io.qmargin.model.speaker.SpeakerBackbones;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Convolutions whose input channels the engine would pad: computed after the allocator's free
 * memory was filled with NaN (where the unwrapped engine convolution gave NaN in every run), they
 * equal a convolution written out in Java, forward and backward, and no backbone leaves such a
 * convolution unwrapped.
 */
class ChannelPaddedConvolutionTest extends EngineTest {

  /** Fills freed engine memory of many sizes with NaN: what other work may leave behind. */
  private void poisonFreedMemory() {
    for (long size = 1000; size < 400_000; size = size * 5 / 4) {
      try (NDManager scratch = manager.newSubManager()) {
        scratch.full(new Shape(size), Float.NaN);
      }
    }
  }

  @Test
  void paddingIsNeededAboveEightChannelsOffTheBlock() {
    assertThat(ChannelPaddedConvolution.needsPadding(1, 1)).isFalse();
    assertThat(ChannelPaddedConvolution.needsPadding(3, 1)).isFalse();
    assertThat(ChannelPaddedConvolution.needsPadding(8, 1)).isFalse();
    assertThat(ChannelPaddedConvolution.needsPadding(12, 1)).isTrue();
    assertThat(ChannelPaddedConvolution.needsPadding(16, 1)).isFalse();
    assertThat(ChannelPaddedConvolution.needsPadding(40, 1)).isTrue();
    assertThat(ChannelPaddedConvolution.needsPadding(40, 40)).isFalse();
    assertThat(ChannelPaddedConvolution.needsPadding(80, 1)).isFalse();
  }

  /**
   * Conv1d, 40 → 32 channels, kernel 5, stride 2, padding 2, with bias (the small speaker net's
   * first layer at 40 mel bins): y[b,o,t] = bias[o] + Σ_c Σ_k w[o,c,k]·x[b,c,2t+k−2]. With L = Σ
   * r·y, ∂L/∂w[o,c,k] = Σ_b Σ_t r[b,o,t]·x[b,c,2t+k−2] and ∂L/∂bias[o] = Σ_b Σ_t r[b,o,t].
   */
  @Test
  void conv1dEqualsTheSumWrittenOutAfterFreedMemoryHeldNaN() {
    int batch = 4;
    int in = 40;
    int out = 32;
    int kernel = 5;
    int frames = 21;
    int stride = 2;
    int pad = 2;
    Conv1d conv =
        Conv1d.builder()
            .setFilters(out)
            .setKernelShape(new Shape(kernel))
            .optStride(new Shape(stride))
            .optPadding(new Shape(pad))
            .optBias(true)
            .build();
    Block block = ChannelPaddedConvolution.padIfNeeded(conv, in);
    assertThat(block).isInstanceOf(ChannelPaddedConvolution.class);
    Engine.getInstance().setRandomSeed(5);
    block.initialize(manager, DataType.FLOAT32, new Shape(batch, in, frames));
    NDArray weight = conv.getParameters().get("weight").getArray();
    NDArray bias = conv.getParameters().get("bias").getArray();
    assertThat(weight.getShape())
        .as("the parameter keeps its real shape")
        .isEqualTo(new Shape(out, in, kernel));
    float[] w = weight.toFloatArray();
    float[] b = bias.toFloatArray();
    int steps = (frames + 2 * pad - kernel) / stride + 1;
    ParameterStore store = new ParameterStore(manager, false);
    for (int repeat = 0; repeat < 5; repeat++) {
      poisonFreedMemory();
      try (NDManager scope = manager.newSubManager()) {
        NDArray xa = scope.randomNormal(new Shape(batch, in, frames));
        NDArray ra = scope.randomNormal(new Shape(batch, out, steps));
        float[] x = xa.toFloatArray();
        float[] r = ra.toFloatArray();
        NDArray y;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          y = block.forward(store, new NDList(xa), true).singletonOrThrow();
          gc.backward(y.mul(ra).sum());
        }
        assertThat(y.getShape()).isEqualTo(new Shape(batch, out, steps));
        assertThat(xa.getShape())
            .as("the input's shape is left alone")
            .isEqualTo(new Shape(batch, in, frames));
        assertThat(weight.getShape())
            .as("the weight's shape is left alone")
            .isEqualTo(new Shape(out, in, kernel));
        float[] got = y.toFloatArray();
        float[] gw = weight.getGradient().toFloatArray();
        float[] gb = bias.getGradient().toFloatArray();
        double[] wantGw = new double[w.length];
        double[] wantGb = new double[out];
        for (int s = 0; s < batch; s++) {
          for (int o = 0; o < out; o++) {
            for (int t = 0; t < steps; t++) {
              double sum = b[o];
              double rv = r[(s * out + o) * steps + t];
              wantGb[o] += rv;
              for (int c = 0; c < in; c++) {
                for (int k = 0; k < kernel; k++) {
                  int at = stride * t + k - pad;
                  if (at >= 0 && at < frames) {
                    double xv = x[(s * in + c) * frames + at];
                    sum += w[(o * in + c) * kernel + k] * xv;
                    wantGw[(o * in + c) * kernel + k] += rv * xv;
                  }
                }
              }
              assertThat((double) got[(s * out + o) * steps + t])
                  .as("y[%d,%d,%d], repeat %d", s, o, t, repeat)
                  .isCloseTo(sum, org.assertj.core.api.Assertions.within(1e-4));
            }
          }
        }
        for (int i = 0; i < w.length; i++) {
          assertThat((double) gw[i])
              .as("dL/dw[%d], repeat %d", i, repeat)
              .isCloseTo(wantGw[i], org.assertj.core.api.Assertions.within(1e-3));
        }
        for (int o = 0; o < out; o++) {
          assertThat((double) gb[o])
              .isCloseTo(wantGb[o], org.assertj.core.api.Assertions.within(1e-3));
        }
        weight.getGradient().subi(weight.getGradient());
        bias.getGradient().subi(bias.getGradient());
      }
    }
  }

  /** Conv2d, 24 → 16 channels, 3 × 3, padding 1, no bias, in inference mode. */
  @Test
  void conv2dEqualsTheSumWrittenOutAfterFreedMemoryHeldNaN() {
    int batch = 2;
    int in = 24;
    int out = 16;
    int side = 6;
    Conv2d conv =
        Conv2d.builder()
            .setFilters(out)
            .setKernelShape(new Shape(3, 3))
            .optPadding(new Shape(1, 1))
            .optBias(false)
            .build();
    Block block = ChannelPaddedConvolution.padIfNeeded(conv, in);
    block.initialize(manager, DataType.FLOAT32, new Shape(batch, in, side, side));
    float[] w = conv.getParameters().get("weight").getArray().toFloatArray();
    ParameterStore store = new ParameterStore(manager, false);
    for (int repeat = 0; repeat < 5; repeat++) {
      poisonFreedMemory();
      try (NDManager scope = manager.newSubManager()) {
        NDArray xa = scope.randomNormal(new Shape(batch, in, side, side));
        float[] x = xa.toFloatArray();
        float[] got = block.forward(store, new NDList(xa), false).singletonOrThrow().toFloatArray();
        for (int s = 0; s < batch; s++) {
          for (int o = 0; o < out; o++) {
            for (int i = 0; i < side; i++) {
              for (int j = 0; j < side; j++) {
                double sum = 0;
                for (int c = 0; c < in; c++) {
                  for (int ki = 0; ki < 3; ki++) {
                    for (int kj = 0; kj < 3; kj++) {
                      int a = i + ki - 1;
                      int bb = j + kj - 1;
                      if (a >= 0 && a < side && bb >= 0 && bb < side) {
                        sum +=
                            w[((o * in + c) * 3 + ki) * 3 + kj]
                                * x[((s * in + c) * side + a) * side + bb];
                      }
                    }
                  }
                }
                assertThat((double) got[((s * out + o) * side + i) * side + j])
                    .as("y[%d,%d,%d,%d]", s, o, i, j)
                    .isCloseTo(sum, org.assertj.core.api.Assertions.within(1e-4));
              }
            }
          }
        }
      }
    }
  }

  /**
   * Every convolution of every backbone either has input channels the engine does not pad, or is
   * wrapped.
   */
  @ParameterizedTest(name = "{0}, {1} features")
  @CsvSource({
    "small, 40",
    "small, 80",
    "small, 64",
    "small, 23",
    "ecapa512, 40",
    "ecapa512, 80",
    "resnet18, 40",
    "resnet34, 80"
  })
  void noSpeakerBackboneLeavesAPaddedConvolutionToTheEngine(String name, int features) {
    Block block = SpeakerBackbones.create(name, 32, features);
    block.initialize(manager, DataType.FLOAT32, SpeakerBackbones.inputShape(2, 50, features));
    assertThat(unwrappedPaddedConvolutions(block)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"iresnet18", "mobilefacenet", "small"})
  void noFaceBackboneLeavesAPaddedConvolutionToTheEngine(String name) {
    Block block = Backbones.create(name, 64, 0);
    block.initialize(manager, DataType.FLOAT32, Backbones.inputShape(2));
    assertThat(unwrappedPaddedConvolutions(block)).isEmpty();
  }

  private static List<String> unwrappedPaddedConvolutions(Block block) {
    List<String> found = new ArrayList<>();
    collect("", block, found);
    return found;
  }

  private static void collect(String path, Block block, List<String> found) {
    if (block instanceof ChannelPaddedConvolution) {
      return;
    }
    if (block instanceof Convolution conv) {
      Parameter weight = conv.getParameters().get("weight");
      int in = (int) weight.getArray().getShape().get(1);
      if (ChannelPaddedConvolution.needsPadding(in, conv.getGroups())) {
        found.add(path + " (" + in + " input channels)");
      }
    }
    for (Pair<String, Block> child : block.getChildren()) {
      collect(path + "/" + child.getKey(), child.getValue(), found);
    }
  }
}
