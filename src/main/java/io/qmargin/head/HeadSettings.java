package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qmargin.UserInputException;
import io.qmargin.loss.VerificationLoss;

/**
 * Which classification head to train with, as configuration: {@code dense} (all B × C cosines; any
 * loss; small C), {@code sparse} (exact, streamed candidates with certificate; alpha &gt; 1 losses;
 * millions of classes) or {@code partial_fc} (sampled classes, approximate; any loss).
 *
 * @param type the kind of head
 * @param blockRows sparse: prototype rows per streamed block
 * @param sampleRate partial_fc: fraction r of classes per step
 * @param sgd the prototype optimizer
 * @param screening sparse: the number format of the screening product ({@link ScreeningPrecision})
 */
public record HeadSettings(
    HeadType type,
    int blockRows,
    double sampleRate,
    SgdSettings sgd,
    ScreeningPrecision screening) {
  public HeadSettings {
    if (blockRows < 1 || !(sampleRate > 0 && sampleRate <= 1)) {
      throw new UserInputException("head: block rows must be >= 1 and the sample rate in (0, 1]");
    }
  }

  /** Builds the head on the given initial prototypes (C, d), which it copies. */
  public TrainableHead create(
      NDManager manager, VerificationLoss loss, NDArray initialPrototypes, long seed) {
    return switch (type) {
      case DENSE -> new DenseHead(manager, loss, initialPrototypes, sgd);
      case SPARSE ->
          new SparseAlphaHead(
              loss,
              new LazyPrototypeTable(
                  manager,
                  initialPrototypes,
                  sgd,
                  blockRows,
                  LazyPrototypeTable.DEFAULT_APPROXIMATION_CAP,
                  screening));
      case PARTIAL_FC -> new PartialFcHead(manager, loss, initialPrototypes, sgd, sampleRate, seed);
    };
  }
}
