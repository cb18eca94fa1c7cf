/**
 * Cohort score normalisation of cosine scores: Z-, T-, S- and AS-norm in {@link
 * io.qmargin.eval.norm.ScoreNormalization} (docs/method.md section 7). It may depend on {@code
 * eval} and {@code eval.protocol} (embeddings and vector helpers) only.
 */
package io.qmargin.eval.norm;
