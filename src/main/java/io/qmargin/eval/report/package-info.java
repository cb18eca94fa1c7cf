/**
 * Writing evaluation results: {@link io.qmargin.eval.report.EvaluationReport} writes {@code
 * metrics.json} ({@link io.qmargin.eval.report.MetricsJson}), curves ({@link
 * io.qmargin.eval.report.CurveFile}), ROC and DET plots ({@link io.qmargin.eval.report.Plots}) and
 * {@code report.md} for one or several systems ({@link io.qmargin.eval.report.SystemResult}),
 * atomically; {@link io.qmargin.eval.report.Numbers} formats figures. It may depend on {@code
 * eval.metrics}, {@code eval.protocol}, {@code io} and the root package.
 */
package io.qmargin.eval.report;
