package io.qmargin.operator;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;

/**
 * The alpha-divergence operator with a reference measure (alpha-softargmax), batched over rows.
 *
 * <p>For logits θ (one row of length n), a positive reference measure q (not necessarily summing to
 * one) and α &gt; 1, the operator maps θ to the probability vector
 *
 * <pre>
 *   p_j = q_j · [1 + (α − 1)(θ_j − τ)]_+^(1/(α−1)),   τ such that Σ_j p_j = 1,
 * </pre>
 *
 * which maximises ⟨p, θ⟩ − Σ_j q_j f(p_j / q_j) over the simplex, f the α-divergence generator. The
 * support is {j : θ_j &gt; τ − 1/(α−1)}: for α &gt; 1 usually a handful of top logits. For α = 1 it
 * is the explicit limit p = softmax(θ + log q), and τ is the log-partition log Σ exp(θ + log q).
 *
 * <p>Algorithm. Write k = 1/(α−1), u_j = 1 + (α−1)(θ_j − τ) and g(τ) = Σ_j q_j [u_j]_+^k,
 * continuous and non-increasing. The bracket τ_lo = max_j(θ_j − f'(1/q_j)) (g ≥ 1) and τ_hi =
 * max_j(θ_j − f'(1/(n q_j))) (g ≤ 1) is narrowed by a few bisection halvings, then finished by
 * Newton steps on φ(τ) = g(τ)^(α−1) − 1 (safeguarded: a step leaving the bracket is replaced by a
 * halving). φ is the weighted k-norm of the positive parts [u_j]_+, so it is convex for α ≤ 2 and
 * exactly linear once the support is fixed and has one element: Newton started at a point with g ≥
 * 1 converges monotonically and quadratically, in a few iterations, to float round-off. Rows are
 * shifted by their maximum first, which leaves p unchanged and keeps u_j well conditioned for large
 * logits.
 */
public final class AlphaDivergenceOperator {

  /** Iteration settings; the defaults reach float32 round-off on realistic logits. */
  public record Settings(int bisectionSteps, int maxIterations, double relativeTolerance) {
    public static final Settings DEFAULT = new Settings(2, 60, 0.0);

    public Settings {
      if (bisectionSteps < 0 || maxIterations < 1 || relativeTolerance < 0) {
        throw new IllegalArgumentException("invalid operator settings");
      }
    }
  }

  private final double alpha;
  private final Settings settings;

  public AlphaDivergenceOperator(double alpha) {
    this(alpha, Settings.DEFAULT);
  }

  public AlphaDivergenceOperator(double alpha, Settings settings) {
    if (!(alpha >= 1.0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("alpha must be a finite number >= 1, got " + alpha);
    }
    this.alpha = alpha;
    this.settings = settings;
  }

  public double alpha() {
    return alpha;
  }

  /**
   * Applies the operator row-wise.
   *
   * @param theta logits of shape (B, n), float32 or float64
   * @param logQ log of the reference measure, broadcastable to (B, n) (e.g. (1, n) or (B, n)), or
   *     {@code null} for q = 1 (alpha-entmax)
   * @return the posterior p (B, n), τ (B, 1) and the number of iterations used
   */
  public Posterior apply(NDArray theta, NDArray logQ) {
    if (theta.getShape().dimension() != 2) {
      throw new IllegalArgumentException("theta must be (B, n), got " + theta.getShape());
    }
    if (alpha == 1.0) {
      return softmaxLimit(theta, logQ);
    }
    Posterior result;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      result = solve(theta, logQ);
      NDScope.unregister(result.p(), result.tau());
    }
    adopt(result.p(), result.tau());
    return result;
  }

  private Posterior softmaxLimit(NDArray theta, NDArray logQ) {
    NDArray p;
    NDArray tau;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray z = logQ == null ? theta : theta.add(logQ);
      NDArray max = z.max(new int[] {1}, true);
      NDArray shifted = z.sub(max);
      NDArray logPartition = shifted.exp().sum(new int[] {1}, true).log();
      p = shifted.sub(logPartition).exp();
      tau = logPartition.add(max);
      NDScope.unregister(p, tau);
    }
    adopt(p, tau);
    return new Posterior(p, tau, 0);
  }

  private Posterior solve(NDArray theta, NDArray logQ) {
    final double am1 = alpha - 1.0;
    final double k = 1.0 / am1;
    final int n = (int) theta.getShape().get(1);
    DataType dtype = theta.getDataType();
    NDArray rowMax = theta.max(new int[] {1}, true);
    NDArray shifted = theta.sub(rowMax); // <= 0, max 0: u_j stays O(1)

    // p_j = [a_j - b_j τ]_+^k with a_j = w_j (1 + (α-1) θ_j), b_j = (α-1) w_j, w_j = q_j^(α-1).
    NDArray a;
    NDArray b; // null means the scalar α-1 (q = 1)
    NDArray tauLo;
    NDArray tauHi;
    if (logQ == null) {
      a = shifted.mul(am1).add(1.0);
      b = null;
      tauLo = rowMax.zerosLike(); // f'(1) = 0
      tauHi = rowMax.zerosLike().add((1.0 - Math.pow(n, -am1)) / am1);
    } else {
      NDArray lq = logQ.toType(dtype, false);
      NDArray w = lq.mul(am1).exp();
      a = w.mul(shifted.mul(am1).add(1.0));
      b = w.mul(am1);
      // f'(1/q) = (q^(1-α) - 1)/(α-1); f'(1/(nq)) = ((nq)^(1-α) - 1)/(α-1)
      try (NDScope bracket = new NDScope()) {
        bracket.suppressNotUsedWarning();
        NDArray fLo = lq.mul(-am1).exp().sub(1.0).div(am1);
        tauLo = shifted.sub(fLo).max(new int[] {1}, true);
        NDArray fHi = lq.add(Math.log(n)).mul(-am1).exp().sub(1.0).div(am1);
        tauHi = shifted.sub(fHi).max(new int[] {1}, true);
        NDScope.unregister(tauLo, tauHi);
      }
      adopt(tauLo, tauHi);
    }

    for (int i = 0; i < settings.bisectionSteps(); i++) {
      NDArray newLo;
      NDArray newHi;
      try (NDScope step = new NDScope()) {
        step.suppressNotUsedWarning();
        NDArray mid = tauLo.add(tauHi).mul(0.5);
        NDArray g = positivePart(a, b, mid, am1).pow(k).sum(new int[] {1}, true);
        NDArray above = g.gte(1.0);
        newLo = NDArrays.where(above, mid, tauLo);
        newHi = NDArrays.where(above, tauHi, mid);
        NDScope.unregister(newLo, newHi);
      }
      adopt(newLo, newHi); // owned by the enclosing scope from here on
      tauLo = newLo;
      tauHi = newHi;
    }

    // Safeguarded Newton on φ(τ) = g^(α-1) - 1 from the left end of the bracket.
    double eps = dtype == DataType.FLOAT64 ? 0x1.0p-52 : 0x1.0p-23;
    // g is a sum of up to n rounded terms: below this residual τ is as good as the data allow.
    double tolG =
        Math.max(settings.relativeTolerance(), eps * (8 + 2 * (Math.log(n) / Math.log(2))));
    NDArray tau = tauLo;
    NDArray previousResidual = tau.onesLike().mul(Double.MAX_VALUE);
    NDArray p = null;
    int iterations = 0;
    while (p == null && iterations < settings.maxIterations()) {
      iterations++;
      NDArray lo;
      NDArray hi;
      NDArray next;
      NDArray residual;
      try (NDScope step = new NDScope()) {
        step.suppressNotUsedWarning();
        NDArray u = positivePart(a, b, tau, am1);
        NDArray pu = u.pow(k);
        // u^(k-1) = u^k / u on the support, 0 off it (0^0 = 1 and 0^negative = ∞ must not count)
        NDArray uPowKm1 = pu.div(u.maximum(Float.MIN_NORMAL));
        NDArray g = pu.sum(new int[] {1}, true);
        NDArray slope =
            b == null
                ? uPowKm1.sum(new int[] {1}, true).mul(am1)
                : uPowKm1.mul(b).sum(new int[] {1}, true);
        residual = g.sub(1.0).abs();
        NDArray above = g.gte(1.0);
        lo = NDArrays.where(above, tau, tauLo);
        hi = NDArrays.where(above, tauHi, tau);
        // Newton step on φ: Δτ = (g − g^(1−(α−1))) / Σ_j b_j u_j^(k−1). It is taken inside the
        // bracket while it at least halves the residual, or once the residual is near round-off;
        // otherwise the bracket is halved (for α > 2 a class entering the support makes the slope
        // unbounded and Newton crawl).
        NDArray newton = tau.add(g.sub(g.pow(1.0 - am1)).div(slope));
        NDArray nearFloor = residual.lte(16 * tolG);
        NDArray scale = tau.abs().maximum(1.0).mul(4 * eps);
        NDArray rowDone =
            residual
                .lte(tolG)
                .logicalOr(hi.sub(lo).lte(scale))
                .logicalOr(nearFloor.logicalAnd(newton.sub(tau).abs().lte(scale)));
        if (rowDone.all().getBoolean()) {
          p = pu.div(g); // sums to one up to the last rounding
          NDScope.unregister(p);
          break;
        }
        NDArray useNewton =
            newton
                .gte(lo)
                .logicalAnd(newton.lte(hi))
                .logicalAnd(slope.gt(0))
                .logicalAnd(nearFloor.logicalOr(residual.lte(previousResidual.mul(0.5))));
        next = NDArrays.where(useNewton, newton, lo.add(hi).mul(0.5));
        NDScope.unregister(lo, hi, next, residual);
      }
      adopt(lo, hi, next, residual);
      tauLo = lo;
      tauHi = hi;
      tau = next;
      previousResidual = residual;
    }
    if (p == null) { // iteration limit: use the best τ found
      p = positivePart(a, b, tau, am1).pow(k);
      p = p.div(p.sum(new int[] {1}, true));
    }
    adopt(p);
    NDArray tauOut = tau.add(rowMax);
    return new Posterior(p, tauOut, iterations + settings.bisectionSteps());
  }

  /** Hands arrays that escaped an inner scope to the enclosing scope, which closes them. */
  private static void adopt(NDArray... arrays) {
    for (NDArray x : arrays) {
      NDScope.register(x);
    }
  }

  private static NDArray positivePart(NDArray a, NDArray b, NDArray tau, double am1) {
    NDArray v = b == null ? a.sub(tau.mul(am1)) : a.sub(b.mul(tau));
    return v.maximum(0.0);
  }
}
