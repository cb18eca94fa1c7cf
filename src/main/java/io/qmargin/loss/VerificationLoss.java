package io.qmargin.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.qmargin.UserInputException;
import io.qmargin.operator.AlphaDivergenceOperator;
import java.util.Locale;

/**
 * Every loss of the family, as one configuration of three shared pieces: the logits θ = s·cos with
 * the target margin ψ (see {@link TargetMargin}), the reference measure q, and the alpha-divergence
 * loss of {@link AlphaDivergenceLoss} on them.
 *
 * <pre>
 *   θ_j = s·cos_j (j ≠ y),   θ_y = s·ψ(cos_y),   q_j = 1 (j ≠ y),   q_y = exp(−s·m_q)
 *   ∂L/∂cos_j = s·p_j (j ≠ y),   ∂L/∂cos_y = s·(p_y − 1)·ψ'(cos_y)
 * </pre>
 *
 * <table>
 *   <caption>The named losses (see {@link LossSpec})</caption>
 *   <tr><th>name</th><th>α</th><th>ψ(c)</th><th>m_q</th></tr>
 *   <tr><td>normface</td><td>1</td><td>c</td><td>0</td></tr>
 *   <tr><td>cosface</td><td>1</td><td>c − m</td><td>0</td></tr>
 *   <tr><td>arcface</td><td>1</td><td>cos(φ + m)</td><td>0</td></tr>
 *   <tr><td>combined</td><td>1</td><td>cos(m1·φ + m2) − m3</td><td>0</td></tr>
 *   <tr><td>entmax</td><td>α</td><td>c</td><td>0</td></tr>
 *   <tr><td>sparsemax</td><td>2</td><td>c</td><td>0</td></tr>
 *   <tr><td>qmargin</td><td>α</td><td>c</td><td>m</td></tr>
 *   <tr><td>a3m</td><td>α</td><td>cos(φ + m)</td><td>0</td></tr>
 * </table>
 *
 * Q-Margin puts the margin in the prior q_y rather than in the logits; for α = 1 it is CosFace with
 * the same s and m, since log q_y = −s·m shifts the target logit by exactly s·(−m).
 *
 * @param spec the canonical textual spec, e.g. {@code qmargin:alpha=1.25,s=35,m=0.2}
 * @param alpha α ≥ 1 of the divergence (1: softmax cross-entropy)
 * @param scale s &gt; 0
 * @param margin ψ on the target cosine
 * @param priorMargin m_q ≥ 0: the target's reference measure is exp(−s·m_q)
 */
public record VerificationLoss(
    String name, String spec, double alpha, double scale, TargetMargin margin, double priorMargin) {

  /** True when the posterior can be sparse (α &gt; 1), i.e. for the alpha-divergence family. */
  public boolean isSparse() {
    return alpha > 1.0;
  }

  public AlphaDivergenceLoss fenchelYoung() {
    return new AlphaDivergenceLoss(new AlphaDivergenceOperator(alpha));
  }

  /**
   * Evaluates the loss on cosines.
   *
   * @param cos cosines (B, n) of each sample to n prototypes, float32 or float64
   * @param labels target column of each row (B), any integer type
   */
  public LossOutput evaluate(NDArray cos, NDArray labels) {
    int n = (int) cos.getShape().get(1);
    DataType dtype = cos.getDataType();
    requireRepresentableLoss(dtype);
    LossOutput out;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray target = labels.toType(DataType.INT64, false).oneHot(n).toType(dtype, false);
      NDArray cosY = cos.mul(target).sum(new int[] {1}, true);
      TargetMargin.Values psi = margin.apply(cosY);
      NDArray theta = cos.mul(scale);
      if (!margin.isNone()) {
        theta = theta.add(target.mul(psi.psi().sub(cosY).mul(scale)));
      }
      NDArray logQ = priorMargin == 0.0 ? null : target.mul(-scale * priorMargin);
      AlphaDivergenceLoss.Result r = fenchelYoung().evaluate(theta, logQ, target);
      // chain rule through θ = s·cos, θ_y = s·ψ(cos_y)
      NDArray gradCos = r.gradTheta().mul(scale);
      if (!margin.isNone()) {
        NDArray gy = r.gradTheta().mul(target).sum(new int[] {1}, true);
        gradCos = gradCos.add(target.mul(gy.mul(psi.derivative().sub(1.0)).mul(scale)));
      }
      NDArray support = r.posterior().gt(0).countNonzero(1);
      NDArray targetProbability = r.posterior().mul(target).sum(new int[] {1});
      out =
          new LossOutput(
              r.loss(), r.posterior(), gradCos, support, targetProbability, r.iterations());
      NDScope.unregister(
          out.loss(), out.posterior(), out.gradCos(), out.support(), out.targetProbability());
    }
    for (NDArray a :
        new NDArray[] {
          out.loss(), out.posterior(), out.gradCos(), out.support(), out.targetProbability()
        }) {
      NDScope.register(a);
    }
    return out;
  }

  /**
   * Refuses a configuration whose loss value the precision cannot hold. With a prior margin and α
   * &gt; 1 the loss contains q_y^(1−α)/(α(α−1)) = exp((α−1)·s·m_q)/(α(α−1)) (see {@link
   * AlphaDivergenceLoss}), which passes float32's largest value once (α−1)·s·m_q nears 88 (float64:
   * 709); the posterior and gradient stay finite, but the loss would be ∞.
   */
  void requireRepresentableLoss(DataType dtype) {
    if (alpha == 1.0 || priorMargin == 0.0) {
      return;
    }
    boolean f64 = dtype == DataType.FLOAT64;
    double max = f64 ? Double.MAX_VALUE : Float.MAX_VALUE;
    // one factor e of headroom for the linear term of the loss
    double limit = Math.log(max) - 1;
    double logTerm = (alpha - 1) * scale * priorMargin - Math.log(alpha * (alpha - 1));
    if (logTerm > limit) {
      double maxScale = (limit + Math.log(alpha * (alpha - 1))) / ((alpha - 1) * priorMargin);
      throw new UserInputException(
          String.format(
              Locale.ROOT,
              "loss %s: its value reaches exp((alpha-1)*s*m)/(alpha*(alpha-1)) = %s, beyond the %s range (%.3g): "
                  + "keep s below %.0f with this alpha and m%s",
              spec,
              logTerm > Math.log(Double.MAX_VALUE)
                  ? "exp(" + Math.round(logTerm) + ")"
                  : String.format(Locale.ROOT, "%.3g", Math.exp(logTerm)),
              f64 ? "float64" : "float32",
              max,
              Math.floor(maxScale),
              f64 ? "" : ", or compute in float64 (float64 cosines)"));
    }
  }

  /**
   * The same loss with every margin multiplied by {@code factor} in [0, 1] (the speaker recipes'
   * margin scheduler ramps it from 0 to 1): m2 and m3 scale, m1 moves towards 1, and Q-Margin's
   * prior margin scales. Factor 1 returns this loss; factor 0 the loss without margin.
   */
  public VerificationLoss withMarginScale(double factor) {
    if (!(factor >= 0 && factor <= 1)) {
      throw new IllegalArgumentException("margin factor must be in [0, 1], got " + factor);
    }
    if (factor == 1) {
      return this;
    }
    TargetMargin scaled =
        margin.isNone()
            ? margin
            : new TargetMargin(
                1 + (margin.m1() - 1) * factor,
                margin.m2() * factor,
                margin.m3() * factor,
                margin.easyMargin(),
                margin.straightThrough());
    return new VerificationLoss(
        name, spec + " (margin x " + factor + ")", alpha, scale, scaled, priorMargin * factor);
  }

  /** Shorthand used in tests and reports. */
  @Override
  public String toString() {
    return spec;
  }
}
