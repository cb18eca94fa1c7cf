package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * SGD with momentum and weight decay for the prototypes:
 *
 * <pre>
 *   v ← (μ·v + ∇L) + λ·W;   W ← W − η·v
 * </pre>
 *
 * <p>This is PyTorch's rule ({@code g ← ∇L + λ·W; v ← μ·v + g}) with the two additions in the order
 * the heads have always rounded them. {@link #step} is the one implementation on engine arrays for
 * the prototypes: the dense head on all of W and Partial FC on its sampled rows use it; the sparse
 * head's {@link LazyPrototypeTable} applies the same rule in closed form to rows without a
 * gradient, tested against {@link #step}. The backbone's optimizer ({@code train.ParameterSgd})
 * adds in PyTorch's order, μ·v + (∇L + λ·W), after gradient clipping; folding the two into one
 * order would move the last bit of every trained model, so they stay two.
 *
 * @param momentum μ in [0, 1)
 * @param weightDecay λ ≥ 0
 */
public record SgdSettings(double momentum, double weightDecay) {
  public SgdSettings {
    if (momentum < 0 || momentum >= 1 || weightDecay < 0) {
      throw new IllegalArgumentException("momentum must be in [0, 1) and weight decay >= 0");
    }
  }

  /**
   * One step in place on W and its momentum v (same shape). At most one temporary the size of W is
   * alive at a time (the dense head's W may be most of memory), and it is freed before returning,
   * whichever manager W belongs to.
   *
   * @param w the weights, updated in place
   * @param v the momentum buffer, updated in place (zeros before the first step)
   * @param gradient ∇L
   */
  public void step(NDArray w, NDArray v, NDArray gradient, double learningRate) {
    // results of an operation belong to its first operand's manager, which for W is long-lived
    v.muli(momentum).addi(gradient);
    if (weightDecay != 0) {
      try (NDManager scope = w.getManager().newSubManager()) {
        NDArray decay = w.mul(weightDecay);
        decay.attach(scope);
        v.addi(decay);
      }
    }
    try (NDManager scope = w.getManager().newSubManager()) {
      NDArray delta = v.mul(learningRate);
      delta.attach(scope);
      w.subi(delta);
    }
  }
}
