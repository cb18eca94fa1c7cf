package io.qmargin.eval.metrics;

/**
 * Minimum of the normalised detection cost for one target prior: C_det(t) = C_miss * P_miss(t) *
 * P_target + C_fa * P_fa(t) * (1 - P_target), minimised over thresholds t (the two extremes
 * included) and divided by C_default = min(C_miss * P_target, C_fa * (1 - P_target)), so that 1 is
 * the cost of a system that always accepts or always rejects.
 *
 * @param pTarget the target prior
 * @param value the normalised minimum cost, in [0, 1]
 * @param threshold threshold at the minimum (accept iff score >= threshold); the first (highest)
 *     one if several tie
 * @param pMiss miss rate at that threshold
 * @param pFa false accept rate at that threshold
 */
public record MinDcf(double pTarget, double value, double threshold, double pMiss, double pFa) {}
