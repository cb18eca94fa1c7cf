package io.qmargin.operator;

import ai.djl.ndarray.NDArray;

/**
 * Output of {@link AlphaDivergenceOperator}: the posterior p (B, n), the threshold τ (B, 1) in the
 * units of the logits, and the number of passes over the logits the solver used.
 */
public record Posterior(NDArray p, NDArray tau, int iterations) implements AutoCloseable {
  @Override
  public void close() {
    p.close();
    tau.close();
  }
}
