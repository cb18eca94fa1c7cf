package io.qmargin.model.speaker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The first layer of every speaker backbone: takes log-mel frames (B, T, F) and lays them out for
 * the convolutions, as wespeaker's {@code x.permute(0, 2, 1)}. {@link Layout#CHANNELS} gives (B, F,
 * T) for 1-D convolutions over time (mel bins as channels); {@link Layout#IMAGE} gives (B, 1, F, T)
 * for 2-D convolutions (a one-channel image, frequency × time). It checks F at initialisation, so a
 * model built for 80 mel bins fails clearly on 40.
 */
public final class FrameInput extends AbstractBlock {
  private static final byte VERSION = 1;

  /** How the frames are laid out for the next layer. */
  public enum Layout {
    /** (B, F, T). */
    CHANNELS,
    /** (B, 1, F, T). */
    IMAGE
  }

  private final Layout layout;
  private final int featureDim;

  public FrameInput(Layout layout, int featureDim) {
    super(VERSION);
    if (featureDim < 1) {
      throw new IllegalArgumentException("feature dimension must be positive: " + featureDim);
    }
    this.layout = layout;
    this.featureDim = featureDim;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow().transpose(0, 2, 1);
    return new NDList(layout == Layout.IMAGE ? x.expandDims(1) : x);
  }

  /**
   * Checks the input shape: DJL calls {@code prepare} only while a parameter is uninitialised, so
   * never here.
   */
  @Override
  protected void beforeInitialize(Shape... inputShapes) {
    super.beforeInitialize(inputShapes);
    Shape input = inputShapes[0];
    if (input.dimension() != 3 || input.get(2) != featureDim) {
      throw new IllegalArgumentException(
          "expected log-mel frames (B, T, " + featureDim + "), got " + input);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {
      layout == Layout.IMAGE
          ? new Shape(in.get(0), 1, in.get(2), in.get(1))
          : new Shape(in.get(0), in.get(2), in.get(1))
    };
  }

  @Override
  public String toString() {
    return "FrameInput(" + layout + ", F = " + featureDim + ")";
  }
}
