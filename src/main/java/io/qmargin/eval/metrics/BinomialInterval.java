package io.qmargin.eval.metrics;

/**
 * Clopper-Pearson ("exact") confidence interval of a binomial proportion k/n: the lower end L
 * solves P(X >= k | n, L) = alpha/2 and the upper end U solves P(X <= k | n, U) = alpha/2, with
 * alpha = 1 - level; L = 0 when k = 0 and U = 1 when k = n. Through the identity P(X >= k | n, p) =
 * I_p(k, n - k + 1), L = I^-1_{alpha/2}(k, n - k + 1) and U = I^-1_{1 - alpha/2}(k + 1, n - k),
 * with I the regularised incomplete beta function. It never covers less than the level, which suits
 * the conservative reporting the low-FAR regime needs.
 */
public final class BinomialInterval {
  private BinomialInterval() {}

  /** {lower, upper} for k successes out of n at the given confidence level. */
  public static double[] clopperPearson(long k, long n, double level) {
    if (n <= 0 || k < 0 || k > n || !(level > 0 && level < 1)) {
      throw new IllegalArgumentException(
          "need 0 <= k <= n, n > 0, level in (0,1): k=" + k + " n=" + n + " level=" + level);
    }
    double alpha = 1 - level;
    double lo = k == 0 ? 0 : inverseRegularizedBeta(alpha / 2, k, n - k + 1);
    double hi = k == n ? 1 : inverseRegularizedBeta(1 - alpha / 2, k + 1, n - k);
    return new double[] {lo, hi};
  }

  /** x with I_x(a, b) = y, by bisection on [0, 1] (I is increasing in x). */
  static double inverseRegularizedBeta(double y, double a, double b) {
    double lo = 0;
    double hi = 1;
    for (int it = 0; it < 200 && hi - lo > 1e-17; it++) {
      double mid = 0.5 * (lo + hi);
      if (mid == lo || mid == hi) {
        break;
      }
      if (regularizedBeta(mid, a, b) < y) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return 0.5 * (lo + hi);
  }

  /**
   * I_x(a, b) by the continued fraction of Numerical Recipes (betacf), using symmetry for x >
   * (a+1)/(a+b+2).
   */
  static double regularizedBeta(double x, double a, double b) {
    if (x <= 0) {
      return 0;
    }
    if (x >= 1) {
      return 1;
    }
    double logFront =
        logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
    if (x < (a + 1) / (a + b + 2)) {
      return Math.exp(logFront) * continuedFraction(x, a, b) / a;
    }
    return 1 - Math.exp(logFront) * continuedFraction(1 - x, b, a) / b;
  }

  private static double continuedFraction(double x, double a, double b) {
    final double tiny = 1e-300;
    double qab = a + b;
    double qap = a + 1;
    double qam = a - 1;
    double c = 1;
    double d = 1 - qab * x / qap;
    if (Math.abs(d) < tiny) {
      d = tiny;
    }
    d = 1 / d;
    double h = d;
    // Converges in O(sqrt(max(a, b))) steps; the cap covers a, b up to about 10^11.
    for (int m = 1; m <= 2_000_000; m++) {
      int m2 = 2 * m;
      double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
      d = 1 + aa * d;
      if (Math.abs(d) < tiny) {
        d = tiny;
      }
      c = 1 + aa / c;
      if (Math.abs(c) < tiny) {
        c = tiny;
      }
      d = 1 / d;
      h *= d * c;
      aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
      d = 1 + aa * d;
      if (Math.abs(d) < tiny) {
        d = tiny;
      }
      c = 1 + aa / c;
      if (Math.abs(c) < tiny) {
        c = tiny;
      }
      d = 1 / d;
      double del = d * c;
      h *= del;
      if (Math.abs(del - 1) < 1e-15) {
        break;
      }
    }
    return h;
  }

  private static final double[] LANCZOS = {
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7
  };

  /** log Gamma(x) for x > 0 (Lanczos, g = 7; relative error about 1e-15). */
  static double logGamma(double x) {
    if (x < 0.5) {
      // Reflection keeps the series in its accurate range.
      return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
    }
    double z = x - 1;
    double sum = LANCZOS[0];
    double t = z + 7.5;
    for (int i = 1; i < 9; i++) {
      sum += LANCZOS[i] / (z + i);
    }
    return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
  }
}
