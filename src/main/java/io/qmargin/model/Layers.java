package io.qmargin.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.UniformInitializer;
import java.util.List;

/**
 * The PyTorch layers the backbones (face and speaker) are made of, as DJL blocks with PyTorch's
 * settings.
 */
public final class Layers {
  private Layers() {}

  /** PyTorch's BatchNorm epsilon. */
  static final float BN_EPSILON = 1e-5f;

  /**
   * DJL's momentum weighs the old running statistic (DJL passes 1 − momentum to torch), so
   * PyTorch's default momentum 0.1 is 0.9 here.
   */
  static final float BN_MOMENTUM = 0.9f;

  /** Conv2d without bias, square kernel; weights drawn by {@code init}. */
  static Conv2d conv(
      int filters, int kernel, int stride, int padding, int groups, Initializer init) {
    Conv2d conv =
        Conv2d.builder()
            .setFilters(filters)
            .setKernelShape(new Shape(kernel, kernel))
            .optStride(new Shape(stride, stride))
            .optPadding(new Shape(padding, padding))
            .optGroups(groups)
            .optBias(false)
            .build();
    conv.setInitializer(init, Parameter.Type.WEIGHT);
    return conv;
  }

  /** BatchNorm over axis 1 (channels of (B, C, H, W) or features of (B, C)), PyTorch settings. */
  public static BatchNorm batchNorm() {
    return BatchNorm.builder().optEpsilon(BN_EPSILON).optMomentum(BN_MOMENTUM).build();
  }

  /**
   * BatchNorm whose scale γ stays 1 (not trained), as insightface's {@code features} layer: γ is
   * still a parameter (PyTorch lists it in {@code parameters()}) but has no gradient.
   */
  static BatchNorm batchNormFixedScale() {
    return BatchNorm.builder()
        .optEpsilon(BN_EPSILON)
        .optMomentum(BN_MOMENTUM)
        .optScale(false)
        .build();
  }

  /**
   * Linear layer with PyTorch's default initialisation: weight and bias uniform in ±1/√fanIn
   * (kaiming_uniform with a = √5 reduces to that bound).
   */
  public static Linear linearTorchDefault(int units, long fanIn) {
    Linear linear = Linear.builder().setUnits(units).optBias(true).build();
    UniformInitializer bound = new UniformInitializer((float) (1.0 / Math.sqrt(fanIn)));
    linear.setInitializer(bound, Parameter.Type.WEIGHT);
    linear.setInitializer(bound, Parameter.Type.BIAS);
    return linear;
  }

  /** {@code main(x) + shortcut(x)}: the residual connection. */
  public static Block residual(Block main, Block shortcut) {
    return new ParallelBlock(
        branches ->
            new NDList(branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow())),
        List.of(main, shortcut));
  }
}
