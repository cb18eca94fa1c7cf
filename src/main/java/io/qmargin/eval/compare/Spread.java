package io.qmargin.eval.compare;

/**
 * Mean and spread of one figure over repeated runs (seeds): the mean, the sample standard deviation
 * (n - 1 in the denominator; 0 for one run) and the range.
 *
 * @param runs number of values
 */
public record Spread(int runs, double mean, double sd, double min, double max) {

  /** The spread of {@code values} (NaN values make every field NaN: an unresolved figure). */
  public static Spread of(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    double mean = sum / values.length;
    if (Double.isNaN(mean)) {
      return new Spread(values.length, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    double sd = values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0;
    return new Spread(values.length, mean, sd, min, max);
  }
}
