package io.qmargin.head;

import ai.djl.ndarray.NDArray;

/**
 * What a head's forward pass returns: the batch-mean loss (a scalar carrying the gradient to the
 * embeddings), and statistics: the mean number of classes with p &gt; 0, the fraction of samples
 * with p_y = 0, and (sparse head) how many samples failed the exactness certificate and were redone
 * with more candidates.
 */
public record HeadStep(
    NDArray loss, double meanSupport, double fractionTargetOut, long candidateGrowths) {}
