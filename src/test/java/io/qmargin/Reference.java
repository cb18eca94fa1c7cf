package io.qmargin;

import java.util.Arrays;

/**
 * Independent double-precision reference formulas for the tests, written straight from
 * docs/method.md and sharing no code with production: long bisection for τ, sorting for sparsemax,
 * direct margin formulas and the Fenchel-Young loss.
 */
public final class Reference {
  private Reference() {}

  /**
   * p_j = q_j [1 + (α−1)(θ_j − τ)]_+^(1/(α−1)) with Σp = 1, by 200 halvings; softmax(θ + log q) for
   * α = 1.
   */
  public static double[] posterior(double[] theta, double[] q, double alpha) {
    int n = theta.length;
    double[] p = new double[n];
    if (alpha == 1.0) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        max = Math.max(max, theta[j] + Math.log(q[j]));
      }
      double z = 0;
      for (int j = 0; j < n; j++) {
        p[j] = Math.exp(theta[j] + Math.log(q[j]) - max);
        z += p[j];
      }
      for (int j = 0; j < n; j++) {
        p[j] /= z;
      }
      return p;
    }
    double lo = Double.NEGATIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      lo = Math.max(lo, theta[j] - fPrime(1 / q[j], alpha));
      hi = Math.max(hi, theta[j] - fPrime(1 / (n * q[j]), alpha));
    }
    for (int it = 0; it < 200; it++) {
      double mid = 0.5 * (lo + hi);
      if (mid == lo || mid == hi) {
        break;
      }
      if (sum(theta, q, alpha, mid) >= 1) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double tau = 0.5 * (lo + hi);
    double s = 0;
    for (int j = 0; j < n; j++) {
      p[j] = q[j] * Math.pow(Math.max(0, 1 + (alpha - 1) * (theta[j] - tau)), 1 / (alpha - 1));
      s += p[j];
    }
    for (int j = 0; j < n; j++) {
      p[j] /= s;
    }
    return p;
  }

  public static double tau(double[] theta, double[] q, double alpha) {
    double[] p = posterior(theta, q, alpha);
    // invert p_j = q_j u_j^k on the largest p_j / q_j
    int best = 0;
    for (int j = 1; j < p.length; j++) {
      if (p[j] / q[j] > p[best] / q[best]) {
        best = j;
      }
    }
    double u = Math.pow(p[best] / q[best], alpha - 1);
    return theta[best] - (u - 1) / (alpha - 1);
  }

  static double fPrime(double u, double alpha) {
    return (Math.pow(u, alpha - 1) - 1) / (alpha - 1);
  }

  static double sum(double[] theta, double[] q, double alpha, double tau) {
    double s = 0;
    for (int j = 0; j < theta.length; j++) {
      s += q[j] * Math.pow(Math.max(0, 1 + (alpha - 1) * (theta[j] - tau)), 1 / (alpha - 1));
    }
    return s;
  }

  /** Sparsemax by sorting (Martins and Astudillo 2016). */
  public static double[] sparsemax(double[] z) {
    double[] sorted = z.clone();
    Arrays.sort(sorted);
    int n = z.length;
    double cum = 0;
    double tau = 0;
    for (int k = 1; k <= n; k++) {
      double zk = sorted[n - k];
      cum += zk;
      if (1 + k * zk > cum) {
        tau = (cum - 1) / k;
      }
    }
    double[] p = new double[n];
    for (int j = 0; j < n; j++) {
      p[j] = Math.max(0, z[j] - tau);
    }
    return p;
  }

  /** Alpha-divergence Fenchel-Young loss; cross-entropy on θ + log q for α = 1. */
  public static double loss(double[] theta, double[] q, int y, double alpha) {
    double[] p = posterior(theta, q, alpha);
    if (alpha == 1.0) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < theta.length; j++) {
        max = Math.max(max, theta[j] + Math.log(q[j]));
      }
      double z = 0;
      for (int j = 0; j < theta.length; j++) {
        z += Math.exp(theta[j] + Math.log(q[j]) - max);
      }
      return max + Math.log(z) - theta[y] - Math.log(q[y]);
    }
    double lin = 0;
    double ent = 0;
    for (int j = 0; j < theta.length; j++) {
      lin += (p[j] - (j == y ? 1 : 0)) * theta[j];
      ent += Math.pow(q[j], 1 - alpha) * Math.pow(p[j], alpha);
    }
    return lin + (Math.pow(q[y], 1 - alpha) - ent) / (alpha * (alpha - 1));
  }

  /**
   * Q-Margin's loss with the prior kept as log q_y = −s·m, for scales where q_y itself underflows a
   * double: bisection on Σ_j exp(log q_j) [1 + (α−1)(θ_j − τ)]_+^(1/(α−1)) = 1 and the
   * Fenchel-Young loss with q_j^(1−α) p_j^α = exp((1−α) log q_j + α log p_j). Returns {loss, p...}.
   */
  public static double[] qmarginLogDomain(double[] cos, int y, double alpha, double s, double m) {
    int n = cos.length;
    double[] theta = new double[n];
    double[] logQ = new double[n];
    double lo = Double.NEGATIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      theta[j] = s * cos[j];
      logQ[j] = j == y ? -s * m : 0;
      // τ_lo = θ_j − f'(1/q_j) and τ_hi = θ_j − f'(1/(n q_j)) with f'(u) = (u^(α−1) − 1)/(α−1)
      lo = Math.max(lo, theta[j] - (Math.exp(-(alpha - 1) * logQ[j]) - 1) / (alpha - 1));
      hi =
          Math.max(
              hi, theta[j] - (Math.exp(-(alpha - 1) * (logQ[j] + Math.log(n))) - 1) / (alpha - 1));
    }
    double[] p = new double[n];
    for (int it = 0; it < 400; it++) {
      double tau = 0.5 * (lo + hi);
      if (tau == lo || tau == hi) {
        break;
      }
      double sum = 0;
      for (int j = 0; j < n; j++) {
        sum +=
            Math.exp(logQ[j])
                * Math.pow(Math.max(0, 1 + (alpha - 1) * (theta[j] - tau)), 1 / (alpha - 1));
      }
      if (sum >= 1) {
        lo = tau;
      } else {
        hi = tau;
      }
    }
    double tau = 0.5 * (lo + hi);
    double total = 0;
    for (int j = 0; j < n; j++) {
      p[j] =
          Math.exp(logQ[j])
              * Math.pow(Math.max(0, 1 + (alpha - 1) * (theta[j] - tau)), 1 / (alpha - 1));
      total += p[j];
    }
    double lin = 0;
    double ent = 0;
    for (int j = 0; j < n; j++) {
      p[j] /= total;
      lin += (p[j] - (j == y ? 1 : 0)) * theta[j];
      ent += p[j] > 0 ? Math.exp((1 - alpha) * logQ[j] + alpha * Math.log(p[j])) : 0;
    }
    double[] out = new double[n + 1];
    out[0] = lin + (Math.exp((1 - alpha) * logQ[y]) - ent) / (alpha * (alpha - 1));
    System.arraycopy(p, 0, out, 1, n);
    return out;
  }

  /** ψ(c) = cos(m1·acos(c) + m2) − m3 with the ArcFace th/mm rule and optional easy margin. */
  public static double margin(double c, double m1, double m2, double m3, boolean easy) {
    if (m1 == 1 && m2 == 0) {
      return c - m3;
    }
    double cc = Math.max(-1 + 1e-6, Math.min(1 - 1e-6, c));
    double angular = Math.cos(m1 * Math.acos(cc) + m2) - m3;
    if (easy) {
      return c > 0 ? angular : c - m3;
    }
    return m1 * Math.acos(cc) + m2 < Math.PI ? angular : c - m3 - m2 * Math.sin(m2);
  }

  /** Full loss of a margin/alpha configuration on one row of cosines. */
  public static double marginLoss(
      double[] cos,
      int y,
      double alpha,
      double s,
      double m1,
      double m2,
      double m3,
      boolean easy,
      double priorMargin) {
    double[] theta = new double[cos.length];
    double[] q = new double[cos.length];
    for (int j = 0; j < cos.length; j++) {
      theta[j] = s * (j == y ? margin(cos[j], m1, m2, m3, easy) : cos[j]);
      q[j] = j == y ? Math.exp(-s * priorMargin) : 1;
    }
    return loss(theta, q, y, alpha);
  }

  public static double[] ones(int n) {
    double[] q = new double[n];
    Arrays.fill(q, 1);
    return q;
  }
}
