package io.qmargin.train;

import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.eval.protocol.IdentityOverlap;
import io.qmargin.eval.protocol.KFoldAccuracy;
import io.qmargin.eval.protocol.LabeledScores;
import io.qmargin.eval.protocol.Vectors;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Verification on a list of pairs over a set of images (LFW pairs files, insightface .bin sets):
 * cosine scores, metrics and the k-fold accuracy with the threshold chosen on the other folds.
 *
 * @param images number of distinct images; {@code load} gives image i
 * @param first image of the first side of each pair
 * @param second image of the second side
 * @param fold fold of each pair (0..folds-1)
 * @param identities identity name of each image, or empty when unknown (then no overlap check)
 */
public record PairListValidator(
    String description,
    int images,
    IntFunction<float[]> load,
    int[] first,
    int[] second,
    boolean[] isTarget,
    int[] fold,
    int folds,
    boolean flip,
    List<Double> fars,
    List<String> identities)
    implements Validator {

  /** Both kinds of pair are present, and every image loads (decoding them all once). */
  @Override
  public void check() {
    int same = 0;
    for (boolean t : isTarget) {
      same += t ? 1 : 0;
    }
    if (same == 0 || same == isTarget.length) {
      throw new UserInputException(
          description
              + ": "
              + isTarget.length
              + (isTarget.length == 1 ? " pair, " : " pairs, ")
              + same
              + " of the same identity: "
              + "validation needs at least one same-identity and one different-identity pair");
    }
    for (int i = 0; i < images; i++) {
      try {
        load.apply(i);
      } catch (RuntimeException e) {
        throw new UserInputException(
            description + ": image " + i + " cannot be used (" + e.getMessage() + ")", e);
      }
    }
  }

  @Override
  public ValidationResult evaluate(Embedder embedder, Progress progress) {
    float[] e;
    try (Progress p = progress.start("embedding " + images + " images", images)) {
      e = embedder.embed(images, load, flip, p);
    }
    int dim = e.length / images;
    double[] scores = new double[first.length];
    for (int i = 0; i < first.length; i++) {
      scores[i] = Vectors.dot(e, first[i], e, second[i], dim);
    }
    KFoldAccuracy acc =
        folds > 1 ? KFoldAccuracy.compute(description, scores, isTarget, fold, folds) : null;
    return ValidationResult.of(
        description, LabeledScores.split(description, scores, isTarget), fars, acc);
  }

  @Override
  public Optional<String> overlapWarning(Set<String> trainingIdentities) {
    if (identities.isEmpty() || trainingIdentities.isEmpty()) {
      return Optional.empty();
    }
    IdentityOverlap o =
        IdentityOverlap.of(
            Arrays.stream(first).mapToObj(identities::get).toList(),
            Arrays.stream(second).mapToObj(identities::get).toList(),
            trainingIdentities);
    return o.any() ? Optional.of(o.warning(description, "this run trains on")) : Optional.empty();
  }
}
