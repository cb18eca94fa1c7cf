/**
 * Paired comparison of systems scored on the same trials: pairing of score files by trial keys, the
 * subject of a key, and the paired subsets bootstrap of metric differences.
 */
package io.qmargin.eval.compare;
