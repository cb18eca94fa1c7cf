package io.qmargin.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Evaluates a loss on a batch of given cosines and keeps everything a user wants to look at:
 * per-row loss, posterior, gradient with respect to the cosines and support size, plus a summary.
 * Rows are processed in chunks so that memory stays bounded by a few copies of the input.
 */
public final class LossInspector {
  private LossInspector() {}

  /** Row-wise results (flat arrays in C order; posterior and grad are B × n). */
  public record Inspection(
      int rows,
      int classes,
      double[] loss,
      double[] posterior,
      double[] grad,
      long[] support,
      double[] targetProbability,
      Summary summary) {}

  /** Mean loss, mean and max support size, and the fraction of rows whose target has p_y = 0. */
  public record Summary(
      double meanLoss, double meanSupport, long maxSupport, double fractionTargetOutOfSupport) {
    public static Summary of(double[] loss, long[] support, double[] targetProbability) {
      double l = 0;
      double s = 0;
      long max = 0;
      int out = 0;
      for (int i = 0; i < loss.length; i++) {
        l += loss[i];
        s += support[i];
        max = Math.max(max, support[i]);
        out += targetProbability[i] == 0 ? 1 : 0;
      }
      int n = Math.max(1, loss.length);
      return new Summary(l / n, s / n, max, (double) out / n);
    }
  }

  /**
   * @param cosines B × n cosines, C order
   * @param labels target class per row
   * @param dtype FLOAT32 or FLOAT64: the precision the loss is computed in
   */
  public static Inspection inspect(
      NDManager manager,
      VerificationLoss loss,
      double[] cosines,
      long[] labels,
      int classes,
      DataType dtype,
      int chunkRows) {
    int rows = labels.length;
    double[] lossOut = new double[rows];
    double[] post = new double[cosines.length];
    double[] grad = new double[cosines.length];
    long[] support = new long[rows];
    double[] pY = new double[rows];
    for (int start = 0; start < rows; start += chunkRows) {
      int end = Math.min(rows, start + chunkRows);
      try (NDManager chunk = manager.newSubManager()) {
        double[] part = java.util.Arrays.copyOfRange(cosines, start * classes, end * classes);
        NDArray cos = chunk.create(part, new Shape(end - start, classes)).toType(dtype, false);
        NDArray y = chunk.create(java.util.Arrays.copyOfRange(labels, start, end));
        try (LossOutput out = loss.evaluate(cos, y)) {
          System.arraycopy(toDoubles(out.loss()), 0, lossOut, start, end - start);
          System.arraycopy(
              toDoubles(out.posterior()), 0, post, start * classes, (end - start) * classes);
          System.arraycopy(
              toDoubles(out.gradCos()), 0, grad, start * classes, (end - start) * classes);
          System.arraycopy(out.support().toLongArray(), 0, support, start, end - start);
          System.arraycopy(toDoubles(out.targetProbability()), 0, pY, start, end - start);
        }
      }
    }
    return new Inspection(
        rows, classes, lossOut, post, grad, support, pY, Summary.of(lossOut, support, pY));
  }

  private static double[] toDoubles(NDArray a) {
    return a.toType(DataType.FLOAT64, false).toDoubleArray();
  }
}
