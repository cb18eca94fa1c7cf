package io.qmargin.loss;

import ai.djl.ndarray.NDArray;

/**
 * What a loss computes on a batch of cosines, row by row.
 *
 * @param loss per-row loss (B)
 * @param posterior p (B, n)
 * @param gradCos gradient of each row's loss with respect to that row's cosines (B, n)
 * @param support number of classes with p &gt; 0 (B, int64)
 * @param targetProbability p_y (B)
 * @param iterations passes of the operator's solver (0 for α = 1)
 */
public record LossOutput(
    NDArray loss,
    NDArray posterior,
    NDArray gradCos,
    NDArray support,
    NDArray targetProbability,
    int iterations)
    implements AutoCloseable {
  @Override
  public void close() {
    loss.close();
    posterior.close();
    gradCos.close();
    support.close();
    targetProbability.close();
  }
}
