package io.qmargin.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.qmargin.EngineTest;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lower bounds of τ against the operator's own τ (float64 bisection + Newton, {@link
 * AlphaDivergenceOperator}) on the same logits: never above it, equal to it when all classes are
 * given, and every class they exclude is outside the support.
 */
class ThresholdBoundTest extends EngineTest {

  /** τ of the full operator for θ = (θ_t, scale·values) with log q = (logQ_t, 0, ..., 0). */
  private double exactTau(double alpha, double thetaT, double logQT, float[] values, double scale) {
    double[][] theta = new double[1][values.length + 1];
    double[][] logQ = new double[1][values.length + 1];
    theta[0][0] = thetaT;
    logQ[0][0] = logQT;
    for (int i = 0; i < values.length; i++) {
      theta[0][i + 1] = scale * values[i];
    }
    NDArray t = matrix(theta, DataType.FLOAT64);
    NDArray q = matrix(logQ, DataType.FLOAT64);
    try (Posterior p = new AlphaDivergenceOperator(alpha).apply(t, q)) {
      return p.tau().toType(DataType.FLOAT64, false).toDoubleArray()[0];
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {1.25, 1.5, 2.0, 3.0})
  void boundsNeverExceedTauAndReachItOnAllClasses(double alpha) {
    SplittableRandom rnd = new SplittableRandom(7);
    ThresholdBound bound = new ThresholdBound(alpha);
    double scale = 30;
    for (int trial = 0; trial < 20; trial++) {
      int n = 50 + rnd.nextInt(400);
      float[] cos = new float[n];
      for (int i = 0; i < n; i++) {
        cos[i] = (float) (0.08 * rnd.nextGaussian());
      }
      double thetaT = scale * (0.2 + 0.5 * rnd.nextDouble());
      double logQT = -scale * 0.2 * rnd.nextDouble(); // Q-Margin's target measure exp(−s·m)
      double tau = exactTau(alpha, thetaT, logQT, cos, scale);

      double start = bound.single(thetaT, logQT);
      assertThat(start).as("the target alone").isLessThanOrEqualTo(tau + 1e-9);
      double full = bound.refine(start, thetaT, logQT, cos, n, scale, 0);
      assertThat(full)
          .as("all classes, alpha %s", alpha)
          .isLessThanOrEqualTo(tau + 1e-9)
          .isCloseTo(tau, within(1e-6));

      // a random half of the classes, with logits lowered by 0.01 in cosine: still a bound
      float[] half = new float[n];
      int m = 0;
      for (int i = 0; i < n; i++) {
        if (rnd.nextBoolean()) {
          half[m++] = cos[i];
        }
      }
      double partial = bound.refine(start, thetaT, logQT, half, m, scale, 0.01);
      assertThat(partial).isLessThanOrEqualTo(tau + 1e-9).isGreaterThanOrEqualTo(start);
      // whatever it drops (θ ≤ partial − 1/(α − 1)) is outside the full support
      double gap = bound.supportGap();
      for (float c : cos) {
        if (scale * c <= partial - gap) {
          assertThat(scale * c).isLessThanOrEqualTo(tau - gap);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {1.25, 1.5, 2.0})
  void singleClassBoundIsItsOwnThreshold(double alpha) {
    // one class with measure q alone has p = q·[1 + (α − 1)(θ − τ)]^(1/(α−1)) = 1 at τ = θ −
    // f'(1/q)
    ThresholdBound bound = new ThresholdBound(alpha);
    double theta = 4.0;
    double logQ = -2.0;
    double tau = bound.single(theta, logQ);
    double p = Math.exp(logQ) * Math.pow(1 + (alpha - 1) * (theta - tau), 1 / (alpha - 1));
    assertThat(p).isCloseTo(1.0, within(1e-12));
    assertThat(bound.single(theta, 0)).isEqualTo(theta);
  }
}
