package io.qmargin.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.qmargin.EngineTest;
import io.qmargin.Reference;
import io.qmargin.UserInputException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VerificationLossTest extends EngineTest {

  static final String[] SPECS = {
    "normface:s=10",
    "cosface:s=10,m=0.35",
    "arcface:s=10,m=0.5",
    "arcface:s=10,m=0.5,easy_margin=true",
    "combined:s=10,m1=1.1,m2=0.3,m3=0.2",
    "entmax:alpha=1.5,s=10",
    "sparsemax:s=5",
    "qmargin:alpha=1.25,s=10,m=0.2",
    "qmargin:alpha=1.75,s=7,m=0.3",
    "a3m:alpha=1.25,s=10,m=0.5",
  };

  /** Cosines in (−0.95, 0.95) with a clear target for some rows and hard rows for others. */
  static double[][] cosines(SplittableRandom rnd, int b, int n, int[] labels) {
    double[][] c = new double[b][n];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < n; j++) {
        c[i][j] = 0.9 * (2 * rnd.nextDouble() - 1) * 0.5;
      }
      labels[i] = rnd.nextInt(n);
      c[i][labels[i]] = -0.8 + 1.7 * rnd.nextDouble();
    }
    return c;
  }

  record Row(double[] loss, double[][] grad, double[][] p, long[] support) {}

  Row evaluate(String spec, double[][] cos, int[] labels, DataType type) {
    VerificationLoss loss = LossSpec.parse(spec);
    NDArray c = matrix(cos, type);
    NDArray y = manager.create(labels);
    try (LossOutput out = loss.evaluate(c, y)) {
      return new Row(
          out.loss().toType(DataType.FLOAT64, false).toDoubleArray(),
          rows(out.gradCos()),
          rows(out.posterior()),
          out.support().toLongArray());
    }
  }

  @Test
  void everyLossMatchesTheIndependentReference() {
    SplittableRandom rnd = new SplittableRandom(1);
    int[] labels = new int[12];
    double[][] cos = cosines(rnd, 12, 30, labels);
    for (String spec : SPECS) {
      VerificationLoss l = LossSpec.parse(spec);
      TargetMargin m = l.margin();
      Row r = evaluate(spec, cos, labels, DataType.FLOAT64);
      for (int i = 0; i < cos.length; i++) {
        double ref =
            Reference.marginLoss(
                cos[i],
                labels[i],
                l.alpha(),
                l.scale(),
                m.m1(),
                m.m2(),
                m.m3(),
                m.easyMargin(),
                l.priorMargin());
        assertThat(r.loss()[i]).as("%s row %d", spec, i).isCloseTo(Math.max(0, ref), within(1e-9));
      }
    }
  }

  @Test
  void gradientsMatchCentralFiniteDifferencesForEveryLoss() {
    SplittableRandom rnd = new SplittableRandom(2);
    int[] labels = new int[6];
    double[][] cos = cosines(rnd, 6, 12, labels);
    double h = 1e-6;
    for (String spec : SPECS) {
      Row r = evaluate(spec, cos, labels, DataType.FLOAT64);
      for (int i = 0; i < cos.length; i++) {
        for (int j = 0; j < cos[i].length; j++) {
          double[][] plus = copy(cos);
          double[][] minus = copy(cos);
          plus[i][j] += h;
          minus[i][j] -= h;
          double fd =
              (evaluate(spec, plus, labels, DataType.FLOAT64).loss()[i]
                      - evaluate(spec, minus, labels, DataType.FLOAT64).loss()[i])
                  / (2 * h);
          assertThat(r.grad()[i][j])
              .as("%s d loss[%d] / d cos[%d][%d]", spec, i, i, j)
              .isCloseTo(fd, within(2e-5 * Math.max(1, Math.abs(fd))));
        }
      }
    }
  }

  @Test
  void straightThroughArcFaceUsesTheGradientOfPlainScaledCosine() {
    SplittableRandom rnd = new SplittableRandom(4);
    int[] labels = new int[5];
    double[][] cos = cosines(rnd, 5, 8, labels);
    Row exact = evaluate("arcface:s=10,m=0.5", cos, labels, DataType.FLOAT64);
    Row st = evaluate("arcface:s=10,m=0.5,straight_through=true", cos, labels, DataType.FLOAT64);
    for (int i = 0; i < cos.length; i++) {
      assertThat(st.loss()[i]).isCloseTo(exact.loss()[i], within(1e-12));
      double pY = st.p()[i][labels[i]];
      assertThat(st.grad()[i][labels[i]]).isCloseTo(10 * (pY - 1), within(1e-9));
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.1, 0.2, 0.35})
  void qmarginAtAlphaOneIsCosFaceAndApproachesItAsAlphaTendsToOne(double m) {
    SplittableRandom rnd = new SplittableRandom(5);
    int[] labels = new int[10];
    double[][] cos = cosines(rnd, 10, 40, labels);
    Row cosface = evaluate("cosface:s=30,m=" + m, cos, labels, DataType.FLOAT64);
    Row q1 = evaluate("qmargin:alpha=1,s=30,m=" + m, cos, labels, DataType.FLOAT64);
    Row qNear = evaluate("qmargin:alpha=1.0001,s=30,m=" + m, cos, labels, DataType.FLOAT64);
    for (int i = 0; i < cos.length; i++) {
      assertThat(q1.loss()[i]).isCloseTo(cosface.loss()[i], within(1e-10));
      assertThat(q1.grad()[i]).containsExactly(cosface.grad()[i], within(1e-10));
      assertThat(qNear.loss()[i])
          .isCloseTo(cosface.loss()[i], within(2e-2 * Math.max(1, cosface.loss()[i])));
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {1.25, 1.5, 2.0, 3.0})
  void lossIsNonNegativeAndZeroExactlyUnderTheMarginCondition(double alpha) {
    // zero iff θ_y − max_{j≠y} θ_j ≥ q_y^(1−α)/(α−1); with q_y = exp(−s m): exp((α−1) s m)/(α−1)
    double s = 10;
    double m = 0.1;
    double gap = Math.exp((alpha - 1) * s * m) / (alpha - 1) / s; // in cosine units
    double[][] cos = {
      {0.0, 0.05, 0.05 + gap + 1e-3, -0.2}, // just above the condition: loss 0
      {0.0, 0.05, 0.05 + gap - 1e-3, -0.2}, // just below: loss > 0
    };
    int[] labels = {2, 2};
    Row r =
        evaluate("qmargin:alpha=" + alpha + ",s=" + s + ",m=" + m, cos, labels, DataType.FLOAT64);
    assertThat(r.loss()[0]).isZero();
    assertThat(r.grad()[0]).containsOnly(0.0);
    assertThat(r.support()[0]).isEqualTo(1);
    assertThat(r.loss()[1]).isPositive();
    SplittableRandom rnd = new SplittableRandom(6);
    int[] ys = new int[50];
    Row many =
        evaluate(
            "qmargin:alpha=" + alpha + ",s=30,m=0.2",
            cosines(rnd, 50, 20, ys),
            ys,
            DataType.FLOAT32);
    assertThat(java.util.Arrays.stream(many.loss()).min().getAsDouble())
        .isGreaterThanOrEqualTo(0.0);
  }

  @ParameterizedTest
  @ValueSource(doubles = {2000, 1e4})
  void qmarginAtScalesBeyondFloat32MatchesTheLogDomainReferenceInFloat64(double s) {
    // q_y = exp(−0.2·s) and q_y^(1−α) = exp(0.05·s): exp(100) at s = 2000, and at s = 1e4 q_y is 0
    // even in double; the loss must still be finite and exact, the posterior and gradient too
    SplittableRandom rnd = new SplittableRandom(12);
    int[] labels = new int[8];
    double[][] cos = cosines(rnd, 8, 16, labels);
    Row r = evaluate("qmargin:alpha=1.25,s=" + s + ",m=0.2", cos, labels, DataType.FLOAT64);
    for (int i = 0; i < cos.length; i++) {
      double[] ref = Reference.qmarginLogDomain(cos[i], labels[i], 1.25, s, 0.2);
      assertThat(r.loss()[i]).as("row %d", i).isFinite().isCloseTo(ref[0], within(1e-9 * ref[0]));
      for (int j = 0; j < cos[i].length; j++) {
        double p = ref[j + 1];
        assertThat(r.p()[i][j]).as("p[%d][%d]", i, j).isCloseTo(p, within(1e-9));
        assertThat(r.grad()[i][j])
            .as("grad[%d][%d]", i, j)
            .isCloseTo(s * (p - (j == labels[i] ? 1 : 0)), within(1e-9 * s));
      }
    }
  }

  @Test
  void qmarginWhoseLossPassesTheFloat32RangeIsRefusedNamingTheLimit() {
    SplittableRandom rnd = new SplittableRandom(13);
    int[] labels = new int[4];
    double[][] cos = cosines(rnd, 4, 10, labels);
    // the loss holds exp(0.05·s)/0.3125: 8.6e43 at s = 2000 (float32 ends at 3.4e38; it was NaN);
    // the limit with one factor e of headroom: (ln 3.4028e38 − 1 + ln 0.3125)/0.05 = 1731.2
    assertThatThrownBy(
            () -> evaluate("qmargin:alpha=1.25,s=2000,m=0.2", cos, labels, DataType.FLOAT32))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("8.60e+43")
        .hasMessageContaining("float32")
        .hasMessageContaining("keep s below 1731");
    // below the limit float32 holds it: exp(75)/0.3125 = 1.2e33
    Row r = evaluate("qmargin:alpha=1.25,s=1500,m=0.2", cos, labels, DataType.FLOAT32);
    for (int i = 0; i < cos.length; i++) {
      double[] ref = Reference.qmarginLogDomain(toFloat(cos[i]), labels[i], 1.25, 1500, 0.2);
      assertThat(r.loss()[i]).isCloseTo(ref[0], within(1e-5 * ref[0]));
      for (int j = 0; j < cos[i].length; j++) {
        assertThat(r.p()[i][j]).isCloseTo(ref[j + 1], within(1e-3));
      }
    }
  }

  private static double[] toFloat(double[] a) {
    double[] f = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  @Test
  void handComputedSparsemaxLoss() {
    // sparsemax:s=1 on cos = (1, 0.5, -1)... cosines must be within [-1, 1]: use (0.9, 0.4, -0.9)
    // and s = 1. Sorted z: 0.9, 0.4; k = 2: 1 + 2·0.4 = 1.8 > 1.3, so τ = (1.3 − 1)/2 = 0.15,
    // p = (0.75, 0.25, 0). For y = 1: L = ⟨p − e_y, z⟩ + (1 − Σp²)/2
    //   = 0.75·0.9 + (0.25 − 1)·0.4 + (1 − 0.5625 − 0.0625)/2 = 0.675 − 0.3 + 0.1875 = 0.5625,
    // and ∂L/∂cos = s·(p − e_y) = (0.75, −0.75, 0).
    Row r =
        evaluate(
            "sparsemax:s=1", new double[][] {{0.9, 0.4, -0.9}}, new int[] {1}, DataType.FLOAT32);
    assertThat(r.loss()[0]).isCloseTo(0.5625, within(1e-6));
    assertThat(r.p()[0]).containsExactly(new double[] {0.75, 0.25, 0}, within(1e-6));
    assertThat(r.grad()[0]).containsExactly(new double[] {0.75, -0.75, 0}, within(1e-6));
    assertThat(r.support()[0]).isEqualTo(2);
  }

  @Test
  void handComputedCosFaceAndArcFace() {
    // Two classes, y = 0, cos = (0.6, 0.2), s = 2.
    // CosFace m = 0.1: θ = (2·0.5, 2·0.2) = (1.0, 0.4); L = log(1 + e^(0.4−1.0)) = log(1 + e^−0.6)
    //   = 0.43748, ∂L/∂cos_1 = s·σ(−0.6) = 2·0.35434 = 0.70868.
    Row cf =
        evaluate("cosface:s=2,m=0.1", new double[][] {{0.6, 0.2}}, new int[] {0}, DataType.FLOAT64);
    assertThat(cf.loss()[0]).isCloseTo(Math.log(1 + Math.exp(-0.6)), within(1e-12));
    assertThat(cf.loss()[0]).isCloseTo(0.43748, within(1e-5));
    assertThat(cf.grad()[0][1]).isCloseTo(0.70868, within(1e-5));
    // ArcFace m = 0.5: φ = acos(0.6) = 0.927295, cos(φ + 0.5) = cos(1.427295) = sin(0.143501)
    // = 0.143009; θ = (0.286018, 0.4); L = log(1 + e^(0.4 − 0.286018)) = log(2.120732) = 0.751761.
    Row af =
        evaluate("arcface:s=2,m=0.5", new double[][] {{0.6, 0.2}}, new int[] {0}, DataType.FLOAT64);
    assertThat(af.loss()[0]).isCloseTo(0.751761, within(1e-5));
    // ∂L/∂cos_y = s·(p_y − 1)·ψ', ψ' = sin(φ + m)/sin(φ) = 0.989721/0.8 = 1.237152,
    // p_y = 1/2.120732 = 0.471535: 2·(−0.528465)·1.237152 = −1.307582
    assertThat(af.grad()[0][0]).isCloseTo(-1.307582, within(1e-5));
  }

  @Test
  void arcFaceFallsBackToTheLinearRuleBeyondPiMinusM() {
    // c ≤ cos(π − m): ψ(c) = c − m·sin(m) (ArcFace th/mm); here c = −0.95 < cos(π − 0.5) = −0.8776
    double c = -0.95;
    Row r =
        evaluate("arcface:s=1,m=0.5", new double[][] {{c, 0.0}}, new int[] {0}, DataType.FLOAT64);
    double psi = c - 0.5 * Math.sin(0.5);
    assertThat(r.loss()[0]).isCloseTo(Math.log(1 + Math.exp(0.0 - psi)), within(1e-12));
  }

  @Test
  void sparseLossesHaveSmallSupportOnRealisticBatches() {
    SplittableRandom rnd = new SplittableRandom(9);
    int[] labels = new int[64];
    double[][] cos = new double[64][2000];
    for (int i = 0; i < 64; i++) {
      for (int j = 0; j < 2000; j++) {
        cos[i][j] = 0.05 * rnd.nextGaussian();
      }
      labels[i] = rnd.nextInt(2000);
      cos[i][labels[i]] = 0.5 + 0.1 * rnd.nextGaussian();
    }
    Row q = evaluate("qmargin", cos, labels, DataType.FLOAT32);
    Row a = evaluate("arcface", cos, labels, DataType.FLOAT32);
    assertThat(java.util.Arrays.stream(q.support()).max().getAsLong()).isLessThan(200);
    assertThat(java.util.Arrays.stream(a.support()).min().getAsLong()).isGreaterThan(1000);
  }

  static double[][] copy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }
}
