/**
 * The alpha-divergence operator with a reference measure (docs/method.md section 3): {@link
 * io.qmargin.operator.AlphaDivergenceOperator} maps logits to a sparse posterior by solving for the
 * threshold τ (bracket, bisection halvings, safeguarded Newton), returning a {@link
 * io.qmargin.operator.Posterior}; {@link io.qmargin.operator.ThresholdBound} gives lower bounds of
 * τ from part of the logits in double precision, which the sparse head builds on. Pure mathematics:
 * it depends only on DJL's arrays, on no other qmargin package and on no file.
 */
package io.qmargin.operator;
