package io.qmargin.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.qmargin.operator.AlphaDivergenceOperator;
import io.qmargin.operator.Posterior;

/**
 * The alpha-divergence Fenchel-Young loss on logits θ with reference measure q and target y:
 *
 * <pre>
 *   L(θ, y; q) = ⟨p − e_y, θ⟩ + (q_y^(1−α) − Σ_j q_j^(1−α) p_j^α) / (α(α − 1)),   ∂L/∂θ = p − e_y,
 * </pre>
 *
 * with p the output of {@link AlphaDivergenceOperator}. L ≥ 0, and L = 0 exactly when p = e_y, i.e.
 * when θ_y − max_{j≠y} θ_j ≥ q_y^(1−α)/(α − 1). For α = 1 it is the cross-entropy on θ + log q. The
 * gradient needs no differentiation through the root finding, and it is zero outside the support
 * and the target.
 */
public final class AlphaDivergenceLoss {
  private final AlphaDivergenceOperator operator;

  public AlphaDivergenceLoss(AlphaDivergenceOperator operator) {
    this.operator = operator;
  }

  public double alpha() {
    return operator.alpha();
  }

  /**
   * Per-row loss (B), posterior (B, n), gradient p − e_y with respect to θ (B, n), and τ (B, 1).
   */
  public record Result(
      NDArray loss, NDArray posterior, NDArray gradTheta, NDArray tau, int iterations) {}

  /**
   * @param theta logits (B, n)
   * @param logQ log reference measure broadcastable to (B, n), or null for q = 1
   * @param target one-hot targets e_y (B, n), same dtype as theta
   */
  public Result evaluate(NDArray theta, NDArray logQ, NDArray target) {
    double alpha = operator.alpha();
    Posterior post = operator.apply(theta, logQ);
    NDArray p = post.p();
    NDArray loss;
    NDArray grad;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      grad = p.sub(target);
      if (alpha == 1.0) {
        // cross-entropy on θ + log q: log Σ exp(θ + log q) − θ_y − log q_y, with τ the
        // log-partition
        NDArray z = logQ == null ? theta : theta.add(logQ);
        loss = post.tau().squeeze(1).sub(z.mul(target).sum(new int[] {1}));
      } else {
        // ⟨p − e_y, θ⟩ is shift invariant (Σ(p − e_y) = 0): subtract τ to keep the terms small.
        NDArray linear = grad.mul(theta.sub(post.tau())).sum(new int[] {1});
        // Σ_j q_j^(1−α) p_j^α = Σ_j p_j u_j with u_j = [1 + (α−1)(θ_j − τ)]_+, since
        // p_j / q_j = u_j^(1/(α−1)): no power of q, which overflows for a strong prior (Q-Margin's
        // q_y = exp(−s·m) at a large scale) and made 0 · ∞ = NaN out of a class with p_j = 0.
        NDArray u = theta.sub(post.tau()).mul(alpha - 1).add(1.0).maximum(0.0);
        NDArray weighted = p.mul(u);
        // q_y^(1−α) from log q_y (target is one-hot): only the target's power is taken
        NDArray qyTerm =
            logQ == null
                ? target.sum(new int[] {1})
                : logQ.mul(target).sum(new int[] {1}).mul(1 - alpha).exp();
        loss = linear.add(qyTerm.sub(weighted.sum(new int[] {1})).div(alpha * (alpha - 1)));
      }
      loss = loss.maximum(0.0); // L >= 0; clamps round-off only
      NDScope.unregister(loss, grad);
    }
    NDScope.register(loss);
    NDScope.register(grad);
    return new Result(loss, p, grad, post.tau(), post.iterations());
  }
}
