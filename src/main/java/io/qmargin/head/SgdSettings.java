package io.qmargin.head;

/**
 * SGD with momentum and weight decay for the prototype matrix, with PyTorch's semantics:
 *
 * <pre>
 *   g ← ∇L + λ·W;   v ← μ·v + g;   W ← W − η·v
 * </pre>
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

  /** The insightface face recipe: μ = 0.9, λ = 5e-4. */
  public static final SgdSettings FACE = new SgdSettings(0.9, 5e-4);
}
