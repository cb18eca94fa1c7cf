package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
public final class DenseCosineStep {
  private DenseCosineStep() {}

  /** The head step, and dL/dW of the prototypes for the caller's update. */
  public record Result(HeadStep step, NDArray prototypeGradient) {}

  /**
   * @param x embeddings (B, d), may require gradient
   * @param w prototype rows (n, d), no gradient
   * @param labels column of each row's target in w (B)
   */
  public static Result compute(VerificationLoss loss, NDArray x, NDArray w, NDArray labels) {
    long b = x.getShape().get(0);
    NDManager m = x.getManager();
    NDArray xn = MarginHead.unitRows(x);
    NDArray xd = xn.stopGradient();
    // w belongs to the head's long-lived manager: move what is computed from it to the step's
    NDArray norms = w.norm(new int[] {1}, true);
    norms.attach(m);
    NDArray inverseNorms = norms.maximum(1e-12).pow(-1);
    NDArray wt = w.transpose();
    wt.attach(m);
    // cosines of the detached embeddings; the gradient to x goes through ⟨x̂, g·ŵ⟩ below, so that
    // no C × d normalised copy of W has to be kept for the backward pass
    NDArray cos = xd.matMul(wt).mul(inverseNorms.transpose());
    try (LossOutput out = loss.evaluate(cos, labels)) {
      NDArray g = out.gradCos().div(b);
      double support = out.support().toType(DataType.FLOAT64, false).mean().getDouble();
      double targetOut =
          out.targetProbability().eq(0).toType(DataType.FLOAT64, false).mean().getDouble();
      double lossValue = out.loss().toType(DataType.FLOAT64, false).sum().getDouble() / b;
      // ∂L/∂x̂ = g·Ŵ = (g ⊙ 1/|W|ᵀ)·W
      NDArray gScaled = g.mul(inverseNorms.transpose());
      NDArray h = gScaled.matMul(w);
      NDArray surrogate = xn.mul(h).sum();
      NDArray value = surrogate.sub(surrogate.stopGradient()).add((float) lossValue);
      // ∂L/∂W = (gᵀ x̂ − (Σ_i g_ij cos_ij) ŵ_j) / |W_j|, built in place to keep one C × d temporary
      NDArray gw = gScaled.transpose().matMul(xd);
      try (NDManager tmp = m.newSubManager()) {
        NDArray colsum = g.mul(cos).sum(new int[] {0}).expandDims(1).mul(inverseNorms.square());
        colsum.attach(tmp);
        NDArray scaledW = w.mul(colsum);
        scaledW.attach(tmp);
        gw.subi(scaledW);
      }
      return new Result(new HeadStep(value, support, targetOut, 0), gw);
    }
  }
}
