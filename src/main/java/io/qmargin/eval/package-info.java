/**
 * Evaluation of verification systems, in pure Java and independent of the engine, so that it serves
 * scores and embeddings from any system: protocols that turn embeddings, pairs, trial lists or
 * templates into scores ({@code protocol}), score normalisation ({@code norm}), metrics ({@code
 * metrics}) and reports ({@code report}). This package itself holds {@link
 * io.qmargin.eval.Progress}, the progress callback that long computations report to. It depends on
 * nothing else in qmargin.
 */
package io.qmargin.eval;
