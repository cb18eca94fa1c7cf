/**
 * The loss family on cosines (docs/method.md sections 2, 4 and 5): {@link
 * io.qmargin.loss.VerificationLoss} writes every loss (NormFace, CosFace, ArcFace, combined,
 * EntMax, SparseMax, Q-Margin, A3M) as one formula of a scale, a target margin ({@link
 * io.qmargin.loss.TargetMargin}), a reference measure and the alpha-divergence Fenchel-Young loss
 * ({@link io.qmargin.loss.AlphaDivergenceLoss}), with its gradient in closed form; {@link
 * io.qmargin.loss.LossSpec} parses the textual specs of the CLI and configs; {@link
 * io.qmargin.loss.LossInspector} evaluates a loss on given cosines. It may depend on {@code
 * operator} and the root package only: no files, no training code.
 */
package io.qmargin.loss;
