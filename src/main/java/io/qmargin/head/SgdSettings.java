package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * SGD with momentum and weight decay, with PyTorch's semantics:
 *
 * <pre>
 *   g ← ∇L + λ·W;   v ← μ·v + g;   W ← W − η·v
 * </pre>
 *
 * <p>{@link #step} is the one implementation of this rule on engine arrays: the backbone's
 * optimizer ({@code train.ParameterSgd}), the dense head and Partial FC use it. The sparse head's
 * {@link LazyPrototypeTable} applies the same rule in closed form to rows without a gradient.
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
   * One step in place on W and its momentum v (same shape). The gradient is consumed: it is
   * overwritten with ∇L + λ·W. At most one temporary the size of W is alive at a time (the dense
   * head's W may be most of memory), and it is freed before returning, whichever manager W belongs
   * to.
   *
   * @param w the weights, updated in place
   * @param v the momentum buffer, updated in place (zeros before the first step)
   * @param gradient ∇L, overwritten
   */
  public void step(NDArray w, NDArray v, NDArray gradient, double learningRate) {
    // results of an operation belong to its first operand's manager, which for W is long-lived
    if (weightDecay != 0) {
      try (NDManager scope = w.getManager().newSubManager()) {
        NDArray decay = w.mul((float) weightDecay);
        decay.attach(scope);
        gradient.addi(decay);
      }
    }
    v.muli((float) momentum).addi(gradient);
    try (NDManager scope = w.getManager().newSubManager()) {
      NDArray delta = v.mul((float) learningRate);
      delta.attach(scope);
      w.subi(delta);
    }
  }
}
