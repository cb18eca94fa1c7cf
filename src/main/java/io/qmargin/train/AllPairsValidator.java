package io.qmargin.train;

import io.qmargin.eval.Progress;
import io.qmargin.eval.protocol.AllPairs;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Verification on every pair of a held-out labelled set (see {@link AllPairs}): the protocol that
 * reaches low FAR on a modest number of images.
 */
public record AllPairsValidator(String description, int count, IntFunction<float[]> load, int[] labels, boolean flip,
    List<Double> fars) implements Validator {

  @Override
  public ValidationResult evaluate(Embedder embedder, Progress progress) {
    float[] e;
    try (Progress p = progress.start("embedding " + count + " held-out samples", count)) {
      e = embedder.embed(count, load, flip, p);
    }
    int dim = e.length / count;
    return ValidationResult.of(description, AllPairs.score(description, e, dim, labels), fars, null);
  }
}
