package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.qmargin.loss.LossOutput;
import io.qmargin.loss.VerificationLoss;

/**
 * A loss on all cosines between a batch and a set of prototype rows, with both gradients in closed
 * form: the scalar loss carries ∂L/∂x to the embeddings (through the engine's autograd), and
 *
 * <pre>
 *   ∂L/∂W_j = (Σ_i g_ij x̂_i − (Σ_i g_ij cos_ij) ŵ_j) / |W_j|,   g = (1/B) ∂L/∂cos,
 * </pre>
 *
 * is returned for the prototype optimizer. Shared by the dense head (all rows) and Partial FC (the
 * sampled rows).
 */
final class DenseCosineStep {
  private DenseCosineStep() {}

  record Result(HeadStep step, NDArray prototypeGradient) {}

  /**
   * @param x embeddings (B, d), may require gradient
   * @param w prototype rows (n, d), no gradient
   * @param labels column of each row's target in w (B)
   */
  static Result compute(VerificationLoss loss, NDArray x, NDArray w, NDArray labels) {
    long b = x.getShape().get(0);
    NDArray xn = x.div(x.norm(new int[] {1}, true).maximum(1e-12));
    NDArray norms = w.norm(new int[] {1}, true).maximum(1e-12);
    NDArray wn = w.div(norms);
    NDArray cos = xn.matMul(wn.transpose());
    try (LossOutput out = loss.evaluate(cos.stopGradient(), labels)) {
      NDArray g = out.gradCos().div(b);
      NDArray surrogate = g.mul(cos).sum();
      NDArray value = out.loss().sum().div(b).add(surrogate).sub(surrogate.stopGradient());
      NDArray gw = g.transpose().matMul(xn.stopGradient())
          .sub(g.mul(cos.stopGradient()).sum(new int[] {0}).expandDims(1).mul(wn))
          .div(norms);
      double support = out.support().toType(DataType.FLOAT64, false).mean().getDouble();
      double targetOut = out.targetProbability().eq(0).toType(DataType.FLOAT64, false).mean().getDouble();
      return new Result(new HeadStep(value, support, targetOut, 0), gw);
    }
  }
}
