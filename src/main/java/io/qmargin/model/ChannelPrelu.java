package io.qmargin.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import java.util.Arrays;

/**
 * PReLU with one learned slope per channel, as PyTorch's {@code nn.PReLU(C)}: f(x) = max(x, 0) +
 * a_c·min(x, 0) for channel c (axis 1), slopes initialised to 0.25.
 *
 * <p>DJL's own {@code ai.djl.nn.core.Prelu} learns a single scalar slope, and the PyTorch engine
 * does not implement its operator, so the insightface backbones (a slope per channel) need this
 * block. It is written with relu so autograd gives the exact gradient: f(x) = r + a·(x − r), r =
 * relu(x).
 */
public final class ChannelPrelu extends AbstractBlock {
  private static final byte VERSION = 1;

  /** PyTorch's default initial slope. */
  public static final float INITIAL_SLOPE = 0.25f;

  private final int channels;
  private final Parameter slopes;

  public ChannelPrelu(int channels) {
    super(VERSION);
    if (channels < 1) {
      throw new IllegalArgumentException("channels must be positive: " + channels);
    }
    this.channels = channels;
    // Type OTHER, not WEIGHT: a trainer-wide WEIGHT initializer (Xavier) must not reset the slopes.
    this.slopes =
        addParameter(
            Parameter.builder()
                .setName("alpha")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(channels))
                .optInitializer(new ConstantInitializer(INITIAL_SLOPE))
                .build());
  }

  public int channels() {
    return channels;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray a =
        parameterStore
            .getValue(slopes, x.getDevice(), training)
            .reshape(broadcastShape(x.getShape()));
    // the reshaped view would otherwise belong to the parameter's (the model's) manager: one leak
    // per call
    a.attach(x.getManager());
    NDArray positive = Activation.relu(x);
    return new NDList(positive.add(a.mul(x.sub(positive))));
  }

  private Shape broadcastShape(Shape input) {
    long[] dims = new long[input.dimension()];
    Arrays.fill(dims, 1);
    dims[1] = channels;
    return new Shape(dims);
  }

  @Override
  public void prepare(Shape[] inputShapes) {
    Shape input = inputShapes[0];
    if (input.dimension() < 2 || input.get(1) != channels) {
      throw new IllegalArgumentException(
          "ChannelPrelu(" + channels + ") expects (B, " + channels + ", ...), got " + input);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  public String toString() {
    return "ChannelPrelu(" + channels + ")";
  }
}
