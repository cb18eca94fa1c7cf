package io.qmargin.model.speaker;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.initializer.UniformInitializer;
import io.qmargin.model.ChannelPaddedConvolution;
import io.qmargin.model.Layers;

/**
 * The PyTorch layers the speaker backbones are made of, as DJL blocks with PyTorch's settings and
 * PyTorch's default initialisation (wespeaker's models set no initialisation of their own).
 * BatchNorm and the residual connection are the face backbones' ({@link Layers}).
 */
final class SpeakerLayers {
  private SpeakerLayers() {}

  /** BatchNorm over axis 1 ((B, C), (B, C, T) or (B, C, F, T)), PyTorch settings, γ = 1, β = 0. */
  static BatchNorm batchNorm() {
    return Layers.batchNorm();
  }

  /**
   * PyTorch's default for Conv and Linear: weight and bias uniform in ±1/√fanIn (kaiming_uniform
   * with a = √5 reduces to that bound), fanIn = in/groups × kernel size.
   */
  private static void torchDefault(Block block, long fanIn, boolean bias) {
    UniformInitializer bound = new UniformInitializer((float) (1.0 / Math.sqrt(fanIn)));
    block.setInitializer(bound, Parameter.Type.WEIGHT);
    if (bias) {
      block.setInitializer(bound, Parameter.Type.BIAS);
    }
  }

  /**
   * Conv2d, square kernel, no bias (wespeaker's ResNet); wrapped in {@link
   * ChannelPaddedConvolution} when the engine would otherwise pad its input channels.
   */
  static Block conv2d(int in, int out, int kernel, int stride, int padding) {
    Conv2d conv =
        Conv2d.builder()
            .setFilters(out)
            .setKernelShape(new Shape(kernel, kernel))
            .optStride(new Shape(stride, stride))
            .optPadding(new Shape(padding, padding))
            .optBias(false)
            .build();
    torchDefault(conv, (long) in * kernel * kernel, false);
    return ChannelPaddedConvolution.padIfNeeded(conv, in);
  }

  /** Conv1d over time with bias (PyTorch's default, kept by wespeaker's TDNNs), stride 1. */
  static Block conv1d(int in, int out, int kernel, int dilation, int padding) {
    return conv1d(in, out, kernel, 1, dilation, padding);
  }

  /**
   * Conv1d over time with bias and a stride; wrapped in {@link ChannelPaddedConvolution} when the
   * engine would otherwise pad its input channels (C_in = 40 mel bins, for one).
   */
  static Block conv1d(int in, int out, int kernel, int stride, int dilation, int padding) {
    Conv1d conv =
        Conv1d.builder()
            .setFilters(out)
            .setKernelShape(new Shape(kernel))
            .optStride(new Shape(stride))
            .optDilation(new Shape(dilation))
            .optPadding(new Shape(padding))
            .optBias(true)
            .build();
    torchDefault(conv, (long) in * kernel, true);
    return ChannelPaddedConvolution.padIfNeeded(conv, in);
  }

  /** Linear over the last axis, with bias. */
  static Linear linear(long in, int out) {
    return Layers.linearTorchDefault(out, in);
  }

  /**
   * wespeaker's Conv1dReluBn / TdnnLayer: conv1d, ReLU, BN, in that order (BN after the activation,
   * as the source; kernel k, dilation d, padding d·(k − 1)/2 keeps the length T).
   */
  static SequentialBlock conv1dReluBn(int in, int out, int kernel, int dilation) {
    return conv1dReluBn(in, out, kernel, 1, dilation);
  }

  /** {@link #conv1dReluBn(int, int, int, int)} with a stride: T → ⌈T / stride⌉. */
  static SequentialBlock conv1dReluBn(int in, int out, int kernel, int stride, int dilation) {
    return new SequentialBlock()
        .add(conv1d(in, out, kernel, stride, dilation, dilation * (kernel - 1) / 2))
        .add(Activation.reluBlock())
        .add(batchNorm());
  }

  /** {@code main(x) + shortcut(x)}. */
  static Block residual(Block main, Block shortcut) {
    return Layers.residual(main, shortcut);
  }
}
