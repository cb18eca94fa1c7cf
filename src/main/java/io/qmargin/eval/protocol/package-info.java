/**
 * Verification protocols from files to labelled scores: {@link io.qmargin.eval.protocol.Embeddings}
 * (a matrix with keys) scored by {@link io.qmargin.eval.protocol.CosineScoring}; LFW pairs ({@link
 * io.qmargin.eval.protocol.LfwPairs}, {@link io.qmargin.eval.protocol.KFoldAccuracy}, {@link
 * io.qmargin.eval.protocol.IdentityOverlap}); VoxCeleb, Kaldi and wespeaker trial lists and score
 * files ({@link io.qmargin.eval.protocol.TrialList}, {@link io.qmargin.eval.protocol.TrialScores},
 * {@link io.qmargin.eval.protocol.LabeledScores}); IJB-B/C templates ({@link
 * io.qmargin.eval.protocol.IjbMeta}, {@link io.qmargin.eval.protocol.TemplatePooling}, {@link
 * io.qmargin.eval.protocol.TemplatePairs}); all pairs of a labelled set ({@link
 * io.qmargin.eval.protocol.AllPairs}). Readers name the file and line of bad input. It may depend
 * on {@code eval}, {@code io} and the root package; no engine.
 */
package io.qmargin.eval.protocol;
