/**
 * Evaluation of verification systems, in pure Java and independent of the engine, so that it serves
 * scores and embeddings from any system: protocols that turn embeddings, pairs, trial lists or
 * templates into scores ({@code protocol}), paired comparisons of systems ({@code compare}), score
 * normalisation ({@code norm}), metrics ({@code metrics}) and reports ({@code report}). Long
 * computations report to {@link io.qmargin.Progress}. It depends on nothing else in qmargin but the
 * root package and {@code io}.
 */
package io.qmargin.eval;
