package io.qmargin.train;

import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.eval.protocol.AllPairs;
import java.util.List;

/**
 * Verification on every pair of a held-out labelled set (see {@link AllPairs}): the protocol that
 * reaches low FAR on a modest number of samples.
 *
 * @param embeddings how the samples are embedded (a batch of images; utterances one by one)
 */
public record AllPairsValidator(
    String description, Embeddings embeddings, int[] labels, List<Double> fars)
    implements Validator {

  /** Embeds the held-out samples with the current model: count × d, normalised. */
  @FunctionalInterface
  public interface Embeddings {
    float[] compute(Embedder embedder, Progress progress);
  }

  /** Same-shape samples (images) embedded in batches. */
  public static AllPairsValidator ofImages(
      String description,
      java.util.function.IntFunction<float[]> load,
      int[] labels,
      boolean flip,
      List<Double> fars) {
    return new AllPairsValidator(
        description, (e, p) -> e.embed(labels.length, load, flip, p), labels, fars);
  }

  /** Some label occurs twice (a same-identity pair) and there are two labels (a different pair). */
  @Override
  public void check() {
    java.util.Map<Integer, Integer> counts = new java.util.HashMap<>();
    for (int l : labels) {
      counts.merge(l, 1, Integer::sum);
    }
    boolean samePair = counts.values().stream().anyMatch(c -> c >= 2);
    if (!samePair || counts.size() < 2) {
      throw new UserInputException(
          description
              + ": "
              + labels.length
              + " samples of "
              + counts.size()
              + " identities: validation needs at least one same-identity and one different-identity pair");
    }
  }

  @Override
  public ValidationResult evaluate(Embedder embedder, Progress progress) {
    float[] e;
    try (Progress p =
        progress.start("embedding " + labels.length + " held-out samples", labels.length)) {
      e = embeddings.compute(embedder, p);
    }
    int dim = e.length / labels.length;
    return ValidationResult.of(
        description, AllPairs.score(description, e, dim, labels), fars, null);
  }
}
