package io.qmargin.audio;

import java.util.Arrays;

/**
 * A (frames x dim) matrix of features, row-major: element (t, d) is {@code values[t * dim + d]},
 * the layout of a C-order .npy file.
 */
public record FeatureMatrix(float[] values, int numFrames, int dim) {

  public FeatureMatrix {
    if (numFrames < 0 || dim < 0 || (long) numFrames * dim != values.length) {
      throw new IllegalArgumentException(
          values.length + " values do not form a " + numFrames + " x " + dim + " matrix");
    }
  }

  public float get(int frame, int d) {
    return values[frame * dim + d];
  }

  /** A copy of one frame. */
  public float[] row(int frame) {
    return Arrays.copyOfRange(values, frame * dim, (frame + 1) * dim);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureMatrix m
        && m.numFrames == numFrames
        && m.dim == dim
        && Arrays.equals(m.values, values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(values) + numFrames * 17 + dim;
  }

  @Override
  public String toString() {
    return "FeatureMatrix[" + numFrames + " x " + dim + "]";
  }
}
