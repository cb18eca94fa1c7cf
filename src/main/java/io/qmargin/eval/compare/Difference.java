package io.qmargin.eval.compare;

/**
 * The difference B - A of one metric between two systems scored on the same trials, with its paired
 * bootstrap percentile interval and two-sided p-value (see {@link PairedBootstrap}).
 *
 * @param systemA name of system A
 * @param systemB name of system B
 * @param metric metric name: {@code TAR@FAR=<target>}, {@code EER} or {@code minDCF(<p>)}
 * @param valueA the metric of A on all trials
 * @param valueB the metric of B on all trials
 * @param difference valueB - valueA; NaN when the metric is not resolvable (a FAR target below
 *     1/non-targets)
 * @param low lower end of the percentile interval
 * @param high upper end of the percentile interval
 * @param pValue two-sided paired bootstrap p-value: twice the share of replicates whose difference
 *     is on the other side of 0 from {@code difference} (0 included), at most 1
 * @param level confidence level of the interval
 */
public record Difference(
    String systemA,
    String systemB,
    String metric,
    double valueA,
    double valueB,
    double difference,
    double low,
    double high,
    double pValue,
    double level) {

  /** Whether the metric could be computed (false for an unresolvable FAR target). */
  public boolean resolved() {
    return !Double.isNaN(difference);
  }

  /** Whether the interval excludes 0, i.e. the difference is significant at 1 - level. */
  public boolean significant() {
    return resolved() && (low > 0 || high < 0);
  }
}
