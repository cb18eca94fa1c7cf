package io.qmargin.model.speaker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.qmargin.engine.Scalars;

/**
 * Temporal statistics pooling (wespeaker's {@code TSTP}, the x-vector pooling): the mean and the
 * standard deviation of each feature over time, concatenated. Input (B, C, T) or (B, C, F, T), time
 * last; output (B, 2·C) or (B, 2·C·F): all means (flattened C-major, as {@code torch.flatten}),
 * then all standard deviations.
 *
 * <p>As the source: std = √(var + 1e-7) with the <em>unbiased</em> variance ({@code torch.var}
 * divides by T − 1), so it needs T ≥ 2 frames at this point; the epsilon keeps the gradient of √
 * finite where a feature is constant over time. Pooling over time is what lets one initialised
 * network take crops of any length.
 */
public final class StatisticsPooling extends AbstractBlock {
  private static final byte VERSION = 1;

  /** Added to the variance before the square root, as wespeaker's TSTP. */
  public static final float VARIANCE_EPSILON = 1e-7f;

  public StatisticsPooling() {
    super(VERSION);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    int time = x.getShape().dimension() - 1;
    long frames = x.getShape().get(time);
    if (frames < 2) {
      throw new IllegalArgumentException(
          "statistics pooling needs at least 2 frames, got " + x.getShape());
    }
    long batch = x.getShape().get(0);
    NDArray mean = x.mean(new int[] {time}, true);
    NDArray std = unbiasedStd(x, mean, time, false);
    return new NDList(mean.reshape(batch, -1).concat(std.reshape(batch, -1), 1));
  }

  /**
   * √(Σ_t (x_t − mean)²/(T − 1) + {@link #VARIANCE_EPSILON}) along {@code axis}, T its length, with
   * {@code mean} taken along it with kept dimensions. Written out: DJL's NDArray has no variance or
   * std op.
   */
  static NDArray unbiasedStd(NDArray x, NDArray mean, int axis, boolean keepDims) {
    long frames = x.getShape().get(axis);
    NDArray var =
        x.sub(mean).square().sum(new int[] {axis}, keepDims).div(Scalars.of(x, frames - 1));
    return var.add(VARIANCE_EPSILON).sqrt();
  }

  /**
   * Checks the input shape: DJL calls {@code prepare} only while a parameter is uninitialised, so
   * never here.
   */
  @Override
  protected void beforeInitialize(Shape... inputShapes) {
    super.beforeInitialize(inputShapes);
    int rank = inputShapes[0].dimension();
    if (rank != 3 && rank != 4) {
      throw new IllegalArgumentException(
          "statistics pooling expects (B, C, T) or (B, C, F, T), got " + inputShapes[0]);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    long features = in.slice(1, in.dimension() - 1).size();
    return new Shape[] {new Shape(in.get(0), 2 * features)};
  }

  @Override
  public String toString() {
    return "StatisticsPooling(TSTP)";
  }
}
