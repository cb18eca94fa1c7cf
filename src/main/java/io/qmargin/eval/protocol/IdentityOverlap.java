package io.qmargin.eval.protocol;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How much of a pair list involves identities a model was trained on: the pairs with at least one
 * side of a training identity, and the distinct identities of the pairs that are training
 * identities. A verification figure with any such pair is not a held-out figure.
 *
 * @param pairs pairs in the list
 * @param pairsWithTrained pairs with a training identity on either side
 * @param identities distinct identities in the pairs
 * @param trainedIdentities those among them that are training identities
 */
public record IdentityOverlap(
    int pairs, int pairsWithTrained, int identities, int trainedIdentities) {

  /** The overlap of pairs (identity of each side, aligned lists) with the training identities. */
  public static IdentityOverlap of(List<String> first, List<String> second, Set<String> trained) {
    if (first.size() != second.size()) {
      throw new IllegalArgumentException(
          first.size() + " first sides for " + second.size() + " second sides");
    }
    Set<String> all = new HashSet<>();
    int withTrained = 0;
    for (int i = 0; i < first.size(); i++) {
      all.add(first.get(i));
      all.add(second.get(i));
      if (trained.contains(first.get(i)) || trained.contains(second.get(i))) {
        withTrained++;
      }
    }
    int trainedIds = (int) all.stream().filter(trained::contains).count();
    return new IdentityOverlap(first.size(), withTrained, all.size(), trainedIds);
  }

  public boolean any() {
    return pairsWithTrained > 0;
  }

  /**
   * The one-line warning; {@code training} completes "involve identities ...", e.g. "this run
   * trains on" or "the run runs/x trained on".
   */
  public String warning(String evaluation, String training) {
    return String.format(
        Locale.ROOT,
        "warning: %,d of the %,d pairs of %s (%,d of its %,d identities) involve identities %s: its figures are not held-out",
        pairsWithTrained,
        pairs,
        evaluation,
        trainedIdentities,
        identities,
        training);
  }
}
