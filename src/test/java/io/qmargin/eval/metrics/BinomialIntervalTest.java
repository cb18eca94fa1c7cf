package io.qmargin.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BinomialIntervalTest {

  @Test
  void closedFormsAtTheEnds() {
    // k = 0: upper solves (1 - p)^n = alpha/2; k = n: lower solves p^n = alpha/2
    for (int n : new int[] {1, 5, 40, 1000}) {
      double[] zero = BinomialInterval.clopperPearson(0, n, 0.95);
      assertThat(zero[0]).isZero();
      assertThat(zero[1]).isCloseTo(1 - Math.pow(0.025, 1.0 / n), within(1e-10));
      double[] all = BinomialInterval.clopperPearson(n, n, 0.95);
      assertThat(all[1]).isEqualTo(1.0);
      assertThat(all[0]).isCloseTo(Math.pow(0.025, 1.0 / n), within(1e-10));
    }
  }

  @Test
  void boundsSolveTheBinomialTailEquations() {
    // P(X >= k | n, L) = alpha/2 and P(X <= k | n, U) = alpha/2, by direct summation
    int[][] cases = {{1, 4}, {3, 10}, {17, 40}, {50, 60}, {7, 200}};
    for (int[] c : cases) {
      int k = c[0];
      int n = c[1];
      double[] ci = BinomialInterval.clopperPearson(k, n, 0.9);
      assertThat(1 - binomCdf(k - 1, n, ci[0])).isCloseTo(0.05, within(1e-9));
      assertThat(binomCdf(k, n, ci[1])).isCloseTo(0.05, within(1e-9));
      assertThat(ci[0]).isLessThan((double) k / n);
      assertThat(ci[1]).isGreaterThan((double) k / n);
    }
  }

  @Test
  void largeCountsAreNearTheNormalApproximation() {
    // n = 10^7, p = 0.9: half-width ~ 1.96 * sqrt(p(1-p)/n)
    double[] ci = BinomialInterval.clopperPearson(9_000_000, 10_000_000, 0.95);
    double hw = 1.959963984540054 * Math.sqrt(0.9 * 0.1 / 1e7);
    assertThat(ci[0]).isCloseTo(0.9 - hw, within(2e-6));
    assertThat(ci[1]).isCloseTo(0.9 + hw, within(2e-6));
  }

  @Test
  void logGammaOfIntegers() {
    double lf = 0;
    for (int n = 1; n < 30; n++) {
      assertThat(BinomialInterval.logGamma(n)).isCloseTo(lf, within(1e-12 * Math.max(1, lf)));
      lf += Math.log(n);
    }
  }

  private static double binomCdf(int k, int n, double p) {
    double s = 0;
    for (int i = 0; i <= k; i++) {
      double logC = 0;
      for (int j = 1; j <= i; j++) {
        logC += Math.log(n - i + j) - Math.log(j);
      }
      s += Math.exp(logC + i * Math.log(p) + (n - i) * Math.log1p(-p));
    }
    return s;
  }
}
