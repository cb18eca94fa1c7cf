package io.qmargin.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A DJL convolution whose input channels reach the engine zero-padded to a multiple of {@value
 * #CHANNEL_BLOCK}: the same sums, the same parameters ((C_out, C_in, k…), held by the wrapped
 * convolution), a gradient only for the real channels.
 *
 * <p>Why: PyTorch 2.7.1's CPU convolution (oneDNN) lays weights out in blocks of 16 input channels.
 * When C_in &gt; 8 is not a multiple of 16, the block's padding is not zeroed, so whatever the
 * allocator left in that memory is multiplied in; after other work had left NaN there, a 40-mel
 * speaker model gave NaN for whole blocks of 16 output channels, in training and in inference (C_in
 * = 17, 20, 24, 33, 40 failed; 1, 3, 8, 12–15, 48, 80, 128 did not). With the zero channels
 * supplied by us there is no padding for the engine to fill. Grouped convolutions are not wrapped
 * (no backbone here has such a group width).
 */
public final class ChannelPaddedConvolution extends AbstractBlock {
  private static final byte VERSION = 1;

  /** Input channels per block of oneDNN's AVX-512 layouts (a multiple of AVX2's 8). */
  public static final int CHANNEL_BLOCK = 16;

  private final Convolution convolution;
  private final int inChannels;
  private final int paddedChannels;

  private ChannelPaddedConvolution(Convolution convolution, int inChannels) {
    super(VERSION);
    this.convolution = addChildBlock("conv", convolution);
    this.inChannels = inChannels;
    this.paddedChannels = (inChannels + CHANNEL_BLOCK - 1) / CHANNEL_BLOCK * CHANNEL_BLOCK;
  }

  /** Whether the engine would pad {@code inChannels} itself (and read what it did not write). */
  public static boolean needsPadding(int inChannels, int groups) {
    return groups == 1 && inChannels > 8 && inChannels % CHANNEL_BLOCK != 0;
  }

  /** {@code convolution} itself when its input channels need no padding, else wrapped. */
  public static Block padIfNeeded(Convolution convolution, int inChannels) {
    return needsPadding(inChannels, convolution.getGroups())
        ? new ChannelPaddedConvolution(convolution, inChannels)
        : convolution;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDManager scope = x.getManager();
    NDArray w =
        parameterStore.getValue(convolution.getParameters().get("weight"), x.getDevice(), training);
    NDArray b =
        convolution.isIncludeBias()
            ? parameterStore.getValue(
                convolution.getParameters().get("bias"), x.getDevice(), training)
            : null;
    // Zeros first, so that the results belong to the input's manager, not to the parameter's.
    NDArray xp =
        scope
            .zeros(withChannels(x.getShape(), paddedChannels - inChannels), x.getDataType())
            .concat(x, 1);
    NDArray wp =
        scope
            .zeros(withChannels(w.getShape(), paddedChannels - inChannels), w.getDataType())
            .concat(w, 1);
    Shape stride = convolution.getStride();
    Shape padding = convolution.getPadding();
    Shape dilation = convolution.getDilation();
    return convolution.getKernelShape().dimension() == 1
        ? Conv1d.conv1d(xp, wp, b, stride, padding, dilation, 1)
        : Conv2d.conv2d(xp, wp, b, stride, padding, dilation, 1);
  }

  private static Shape withChannels(Shape shape, long channels) {
    long[] dims = shape.getShape().clone(); // getShape() is the shape's own array
    dims[1] = channels;
    return new Shape(dims);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    if (inputShapes[0].get(1) != inChannels) {
      throw new IllegalArgumentException(
          "expected " + inChannels + " input channels, got " + inputShapes[0]);
    }
    convolution.initialize(manager, dataType, inputShapes);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return convolution.getOutputShapes(inputShapes);
  }

  @Override
  public String toString() {
    return "ChannelPadded(" + inChannels + " → " + paddedChannels + ", " + convolution + ")";
  }
}
