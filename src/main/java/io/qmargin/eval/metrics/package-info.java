/**
 * Verification metrics computed exactly from scores (conventions in docs/method.md section 7):
 * {@link io.qmargin.eval.metrics.VerificationMetrics} (TAR@FAR strict and nearest with
 * Clopper-Pearson intervals, EER, ROCCH-EER, minDCF, AUC, the ROC), computed in one sweep over
 * operating points by {@link io.qmargin.eval.metrics.OperatingPointSweep}, in memory or by external
 * sort for score files larger than memory ({@link io.qmargin.eval.metrics.StreamingMetrics});
 * {@link io.qmargin.eval.metrics.MetricOptions} says what to report. Mathematics first: it may
 * depend on {@code eval}, the score-file readers of {@code eval.protocol} and the root package,
 * never on reports or the engine.
 */
package io.qmargin.eval.metrics;
