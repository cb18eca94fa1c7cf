package io.qmargin.model.speaker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.qmargin.engine.Scalars;

/**
 * Attentive statistics pooling (wespeaker's {@code ASTP} in {@code
 * wespeaker/models/pooling_layers.py}; Okabe et al. 2018, with ECAPA-TDNN's channel- and
 * context-dependent attention, Desplanques et al. 2020). Input (B, C, T); output (B, 2·C): the
 * attention-weighted mean and standard deviation of each channel over time.
 *
 * <p>Per channel c and frame t: logits e = V·tanh(W·h_t + b) + k (two 1×1 Conv1d, W: in →
 * bottleneck 128, V: 128 → C), α_{c,t} = softmax over t of e_{c,t}; μ_c = Σ_t α x, σ_c = √max(Σ_t α
 * x² − μ_c², 1e-7). With global context ({@code global_context_att=True}, ECAPA's "GLOB" variants)
 * h_t is x_t concatenated with the utterance's mean and std (unbiased variance + 1e-7, as the
 * source), so W takes 3·C inputs. tanh, not ReLU, between the two layers, as the source (it notes
 * ReLU converges badly). With constant logits α = 1/T and this reduces to mean and (biased) std
 * pooling.
 */
public final class AttentiveStatisticsPooling extends AbstractBlock {
  private static final byte VERSION = 1;

  /** wespeaker's default attention bottleneck. */
  public static final int DEFAULT_BOTTLENECK = 128;

  /** Lower bound of the weighted variance and epsilon of the context std, as the source. */
  public static final float VARIANCE_EPSILON = 1e-7f;

  private final int channels;
  private final boolean globalContext;
  private final Block attention;
  private final Block logits;

  /**
   * @param channels C, the input channels
   * @param bottleneck the attention's hidden size (128 in wespeaker)
   * @param globalContext whether the attention also sees the utterance's mean and std
   */
  public AttentiveStatisticsPooling(int channels, int bottleneck, boolean globalContext) {
    super(VERSION);
    this.channels = channels;
    this.globalContext = globalContext;
    int in = globalContext ? 3 * channels : channels;
    // 1×1 Conv1d rather than Linear, as the source: no transposes of (B, C, T).
    this.attention = addChildBlock("attention", SpeakerLayers.conv1d(in, bottleneck, 1, 1, 0));
    this.logits = addChildBlock("logits", SpeakerLayers.conv1d(bottleneck, channels, 1, 1, 0));
  }

  /** The second 1×1 conv (bottleneck → C): its output are the attention logits. */
  Block logitsLayer() {
    return logits;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray h = x;
    if (globalContext) {
      long frames = x.getShape().get(2);
      if (frames < 2) {
        throw new IllegalArgumentException(
            "global-context attention needs at least 2 frames, got " + x.getShape());
      }
      NDArray mean = x.mean(new int[] {2}, true);
      NDArray std = StatisticsPooling.unbiasedStd(x, mean, 2, true);
      h = x.concat(mean.broadcast(x.getShape()), 1).concat(std.broadcast(x.getShape()), 1);
    }
    NDArray hidden =
        attention
            .forward(parameterStore, new NDList(h), training, params)
            .singletonOrThrow()
            .tanh();
    NDArray alpha =
        logits
            .forward(parameterStore, new NDList(hidden), training, params)
            .singletonOrThrow()
            .softmax(2);
    NDArray mu = alpha.mul(x).sum(new int[] {2});
    NDArray var = alpha.mul(x.square()).sum(new int[] {2}).sub(mu.square());
    NDArray sigma = var.maximum(Scalars.of(var, VARIANCE_EPSILON)).sqrt();
    return new NDList(mu.concat(sigma, 1));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    long hiddenIn = globalContext ? 3L * channels : channels;
    attention.initialize(manager, dataType, new Shape(in.get(0), hiddenIn, in.get(2)));
    logits.initialize(
        manager,
        dataType,
        attention.getOutputShapes(new Shape[] {new Shape(in.get(0), hiddenIn, in.get(2))}));
  }

  /** Checks the input shape at every initialisation ({@code prepare} runs only at the first). */
  @Override
  protected void beforeInitialize(Shape... inputShapes) {
    super.beforeInitialize(inputShapes);
    Shape in = inputShapes[0];
    if (in.dimension() != 3 || in.get(1) != channels) {
      throw new IllegalArgumentException(
          "ASTP(" + channels + ") expects (B, " + channels + ", T), got " + in);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), 2L * channels)};
  }

  @Override
  public String toString() {
    return "AttentiveStatisticsPooling(" + channels + (globalContext ? ", global context)" : ")");
  }
}
