package io.qmargin.operator;

/**
 * Lower bounds on the threshold τ of the alpha-divergence operator (α &gt; 1) from part of the
 * logits, in double precision, without engine arrays.
 *
 * <p>With u_j = 1 + (α − 1)(θ_j − τ) and g(τ) = Σ_j q_j [u_j]_+^(1/(α−1)), τ solves g(τ) = 1. Every
 * term is non-negative and non-increasing in τ, so adding classes can only raise τ: τ computed on a
 * subset of the classes, or with logits replaced by lower bounds of them, is a lower bound of the
 * full τ. By the support rule (p_j &gt; 0 exactly when θ_j &gt; τ − 1/(α − 1)) every class whose
 * logit is at most {@code bound − 1/(α − 1)} is then outside the full support. This is what lets
 * the sparse head discard most prototypes of a block without sorting them.
 *
 * <p>A single class alone gives g(τ) = 1 at τ = θ − f'(1/q), f'(u) = (u^(α−1) − 1)/(α − 1)
 * (docs/method.md section 3). {@link #refine} raises a bound by Newton steps on φ(τ) = g(τ)^(α−1) −
 * 1, which is convex for α ≤ 2: started where φ ≥ 0 the iterates stay at or below the root (the
 * tangent lies under φ), so each one is again a lower bound; where Newton has not converged after a
 * few dozen steps, and for α &gt; 2, it bisects. Every returned value is checked to satisfy g ≥ 1
 * as computed, and the last value that did is returned.
 */
public final class ThresholdBound {
  private static final int NEWTON_STEPS = 30;
  private static final int BISECTION_STEPS = 60;

  /** g(bound) − 1 above which the bound is worth raising by bisection. */
  private static final double BISECTION_GAIN = 1e-6;

  private final double alpha;
  private final double exponent; // k = 1/(α − 1)
  private final int integerExponent; // k when it is a small integer (α = 2, 1.5, 1.25, ...), else 0

  public ThresholdBound(double alpha) {
    if (!(alpha > 1) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("threshold bounds need a finite alpha > 1, got " + alpha);
    }
    this.alpha = alpha;
    this.exponent = 1 / (alpha - 1);
    long k = Math.round(exponent);
    this.integerExponent = Math.abs(exponent - k) < 1e-12 && k >= 1 && k <= 8 ? (int) k : 0;
  }

  /** 1/(α − 1): a class is in the support exactly when θ &gt; τ − 1/(α − 1). */
  public double supportGap() {
    return exponent;
  }

  /** τ at which one class with logit θ and reference measure exp(logQ) alone has p = 1. */
  public double single(double theta, double logQ) {
    return theta - (Math.exp((1 - alpha) * logQ) - 1) / (alpha - 1);
  }

  /**
   * Raises a lower bound of τ with more classes: one class (θ_t, log q_t) plus n classes of
   * reference measure 1 whose logits are {@code scale · (values[i] − shift)}.
   *
   * @param tau0 a value with g(tau0) ≥ 1 for these classes (e.g. {@link #single} of one of them)
   * @return a value ≥ tau0 with g ≥ 1, hence still a lower bound of τ
   */
  public double refine(
      double tau0, double thetaT, double logQT, float[] values, int n, double scale, double shift) {
    double qT = Math.exp(logQT);
    double best = tau0;
    if (exponent < 1) {
      return bisect(tau0, thetaT, qT, values, n, scale, shift);
    }
    double tau = tau0;
    double bestG = Double.NaN; // g(best), once computed
    boolean checked = false; // whether g(tau) has been computed
    for (int it = 0; it < NEWTON_STEPS; it++) {
      double[] gs = gAndSlope(tau, thetaT, qT, values, n, scale, shift);
      checked = true;
      double g = gs[0];
      if (!(g >= 1)) {
        break;
      }
      best = tau;
      bestG = g;
      double phi = Math.pow(g, alpha - 1) - 1;
      if (phi <= 1e-12 || gs[1] <= 0) {
        break;
      }
      double next = tau + phi / ((alpha - 1) * Math.pow(g, alpha - 2) * gs[1]);
      if (!(next > tau + 1e-13 * (1 + Math.abs(tau)))) {
        break;
      }
      tau = next;
      checked = false;
    }
    // the last iterate has not been checked yet when the loop ran out
    if (!checked) {
      double g = gAndSlope(tau, thetaT, qT, values, n, scale, shift)[0];
      if (tau > best && g >= 1) {
        best = tau;
        bestG = g;
      }
    }
    // Newton crawls where many classes leave the support one by one (α = 2 from far below):
    // finish by bisection from the last valid bound. Not for the last rounding error: near the
    // root g(next) can round below 1 with g(best) − 1 ~ 1e-8, a bound low by ~1e-8 logits.
    if (Double.isNaN(bestG)) {
      bestG = gAndSlope(best, thetaT, qT, values, n, scale, shift)[0];
    }
    if (bestG > 1 + BISECTION_GAIN) {
      best = bisect(best, thetaT, qT, values, n, scale, shift);
    }
    return best;
  }

  private double bisect(
      double lo, double thetaT, double qT, float[] values, int n, double scale, double shift) {
    double hi = thetaT - fPrime(1 / ((n + 1) * qT));
    for (int i = 0; i < n; i++) {
      hi = Math.max(hi, scale * (values[i] - shift) - fPrime(1.0 / (n + 1)));
    }
    if (!(hi > lo)) {
      return lo;
    }
    for (int it = 0; it < BISECTION_STEPS && hi - lo > 1e-12 * (1 + Math.abs(lo)); it++) {
      double mid = 0.5 * (lo + hi);
      if (gAndSlope(mid, thetaT, qT, values, n, scale, shift)[0] >= 1) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private double fPrime(double u) {
    return (Math.pow(u, alpha - 1) - 1) / (alpha - 1);
  }

  /** g(τ) and S(τ) = Σ q_j [u_j]_+^(k−1) = −g'(τ). */
  private double[] gAndSlope(
      double tau, double thetaT, double qT, float[] values, int n, double scale, double shift) {
    double g = 0;
    double s = 0;
    double uT = 1 + (alpha - 1) * (thetaT - tau);
    if (uT > 0) {
      double pm1 = powerKMinusOne(uT);
      g += qT * pm1 * uT;
      s += qT * pm1;
    }
    double base = 1 - (alpha - 1) * (tau + scale * shift);
    double slope = (alpha - 1) * scale;
    for (int i = 0; i < n; i++) {
      double u = base + slope * values[i];
      if (u > 0) {
        double pm1 = powerKMinusOne(u);
        g += pm1 * u;
        s += pm1;
      }
    }
    return new double[] {g, s};
  }

  /** u^(k−1), by multiplication when k is a small integer (the common α = 1.25, 1.5, 2). */
  private double powerKMinusOne(double u) {
    if (integerExponent > 0) {
      double r = 1;
      for (int i = 1; i < integerExponent; i++) {
        r *= u;
      }
      return r;
    }
    return Math.pow(u, exponent - 1);
  }
}
