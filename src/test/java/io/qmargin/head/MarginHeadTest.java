package io.qmargin.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.qmargin.EngineTest;
import io.qmargin.Reference;
import io.qmargin.loss.LossSpec;
import io.qmargin.loss.VerificationLoss;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MarginHeadTest extends EngineTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "qmargin:alpha=1.5,s=8,m=0.2",
        "arcface:s=8,m=0.5",
        "cosface:s=8,m=0.3",
        "sparsemax:s=4"
      })
  void gradientsToEmbeddingsAndPrototypesMatchFiniteDifferences(String spec) {
    VerificationLoss loss = LossSpec.parse(spec);
    int b = 4;
    int c = 7;
    int d = 5;
    SplittableRandom rnd = new SplittableRandom(spec.hashCode());
    double[][] xs = new double[b][d];
    double[][] ws = new double[c][d];
    for (double[] row : xs) {
      for (int k = 0; k < d; k++) {
        row[k] = rnd.nextGaussian();
      }
    }
    for (double[] row : ws) {
      for (int k = 0; k < d; k++) {
        row[k] = rnd.nextGaussian();
      }
    }
    int[] labels = {0, 3, 3, 6};
    MarginHead head = new MarginHead(loss, c, d);
    head.initialize(manager, DataType.FLOAT64, new Shape(b, d), new Shape(b));
    NDArray w = head.prototypes().getArray();
    w.set(matrix(ws, DataType.FLOAT64).toDoubleArray());
    NDArray x = matrix(xs, DataType.FLOAT64);
    x.setRequiresGradient(true);
    NDArray y = manager.create(labels);
    ParameterStore ps = new ParameterStore(manager, false);
    double value;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDList out = head.forward(ps, new NDList(x, y), true);
      value = out.get(0).getDouble();
      gc.backward(out.get(0));
    }
    double[][] gx = rows(x.getGradient());
    double[][] gw = rows(w.getGradient());

    // the value is the batch mean of the reference loss on the cosines
    double expected = 0;
    for (int i = 0; i < b; i++) {
      expected += referenceLoss(loss, cosRow(xs[i], ws), labels[i]);
    }
    assertThat(value).isCloseTo(expected / b, within(1e-9));

    double h = 1e-6;
    for (int i = 0; i < b; i++) {
      for (int k = 0; k < d; k++) {
        double[][] p = copy(xs);
        double[][] m = copy(xs);
        p[i][k] += h;
        m[i][k] -= h;
        double fd = (meanLoss(loss, p, ws, labels) - meanLoss(loss, m, ws, labels)) / (2 * h);
        assertThat(gx[i][k])
            .as("dL/dx[%d][%d]", i, k)
            .isCloseTo(fd, within(1e-5 * Math.max(1, Math.abs(fd))));
      }
    }
    for (int j = 0; j < c; j++) {
      for (int k = 0; k < d; k++) {
        double[][] p = copy(ws);
        double[][] m = copy(ws);
        p[j][k] += h;
        m[j][k] -= h;
        double fd = (meanLoss(loss, xs, p, labels) - meanLoss(loss, xs, m, labels)) / (2 * h);
        assertThat(gw[j][k])
            .as("dL/dW[%d][%d]", j, k)
            .isCloseTo(fd, within(1e-5 * Math.max(1, Math.abs(fd))));
      }
    }
  }

  static double meanLoss(VerificationLoss loss, double[][] xs, double[][] ws, int[] labels) {
    double s = 0;
    for (int i = 0; i < xs.length; i++) {
      s += referenceLoss(loss, cosRow(xs[i], ws), labels[i]);
    }
    return s / xs.length;
  }

  static double referenceLoss(VerificationLoss l, double[] cos, int y) {
    var m = l.margin();
    return Math.max(
        0,
        Reference.marginLoss(
            cos, y, l.alpha(), l.scale(), m.m1(), m.m2(), m.m3(), m.easyMargin(), l.priorMargin()));
  }

  static double[] cosRow(double[] x, double[][] ws) {
    double nx = Math.sqrt(dot(x, x));
    double[] c = new double[ws.length];
    for (int j = 0; j < ws.length; j++) {
      c[j] = dot(x, ws[j]) / (nx * Math.sqrt(dot(ws[j], ws[j])));
    }
    return c;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static double[][] copy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }
}
