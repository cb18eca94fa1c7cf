package io.qmargin.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDScope;

/**
 * The margin function ψ applied to the target cosine, shared by every margin loss:
 *
 * <pre>
 *   ψ(c) = cos(m1·φ + m2) − m3,   φ = arccos(c)
 * </pre>
 *
 * (m1, m2, m3) = (1, 0, 0) is no margin (NormFace, EntMax, Q-Margin), (1, 0, m) CosFace, (1, m, 0)
 * ArcFace and A3M. The angular part is used only when m1 ≠ 1 or m2 ≠ 0; then c is clamped to [−1 +
 * ε, 1 − ε] before arccos so that ψ'(c) = m1·sin(m1·φ + m2)/sin(φ) stays finite.
 *
 * <p>Where m1·φ + m2 &gt; π, cos(m1·φ + m2) would increase again as the sample moves away from its
 * class; as in the ArcFace reference code, ψ(c) = c − m3 − m2·sin(m2) there (threshold c ≤ cos((π −
 * m2)/m1)). With {@code easyMargin} the angular part applies only for c &gt; 0 (ψ(c) = c − m3
 * otherwise). With {@code straightThrough} the backward pass uses ψ'(c) = 1, the no_grad variant of
 * some PyTorch implementations; the default is the exact derivative.
 */
public record TargetMargin(
    double m1, double m2, double m3, boolean easyMargin, boolean straightThrough) {

  /** Clamp for arccos: keeps 1/sin(φ) below about 1/sqrt(2ε). */
  public static final double CLAMP_EPS = 1e-6;

  public static final TargetMargin NONE = new TargetMargin(1, 0, 0, false, false);

  public static TargetMargin additive(double m) {
    return new TargetMargin(1, 0, m, false, false);
  }

  public static TargetMargin angular(double m, boolean easyMargin, boolean straightThrough) {
    return new TargetMargin(1, m, 0, easyMargin, straightThrough);
  }

  public boolean isAngular() {
    return m1 != 1.0 || m2 != 0.0;
  }

  public boolean isNone() {
    return !isAngular() && m3 == 0.0;
  }

  /** ψ and ψ' evaluated on the target cosines (B, 1). */
  public record Values(NDArray psi, NDArray derivative) {}

  public Values apply(NDArray cos) {
    if (!isAngular()) {
      return new Values(cos.sub(m3), cos.onesLike());
    }
    NDArray psi;
    NDArray dpsi;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray c = cos.clip(-1 + CLAMP_EPS, 1 - CLAMP_EPS);
      NDArray phi = c.acos();
      NDArray angle = phi.mul(m1).add(m2);
      NDArray angularPsi = angle.cos().sub(m3);
      NDArray angularDeriv = angle.sin().mul(m1).div(phi.sin());
      double threshold = Math.cos(Math.min(Math.PI, (Math.PI - m2) / m1));
      NDArray fallbackPsi = cos.sub(m3 + m2 * Math.sin(m2));
      NDArray useAngular = easyMargin ? cos.gt(0) : cos.gt(threshold);
      psi = NDArrays.where(useAngular, angularPsi, easyMargin ? cos.sub(m3) : fallbackPsi);
      dpsi =
          straightThrough
              ? cos.onesLike()
              : NDArrays.where(useAngular, angularDeriv, cos.onesLike());
      NDScope.unregister(psi, dpsi);
    }
    NDScope.register(psi);
    NDScope.register(dpsi);
    return new Values(psi, dpsi);
  }
}
