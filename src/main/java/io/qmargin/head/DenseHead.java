package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qmargin.loss.VerificationLoss;

/**
 * The dense head: all C prototypes, the B × C cosines, and dense SGD over the whole matrix (see
 * {@link SgdSettings}). Any loss of the family; the reference the other heads are measured against.
 */
public final class DenseHead extends StoredPrototypes {

  public DenseHead(NDManager parent, VerificationLoss loss, NDArray initial, SgdSettings sgd) {
    super(parent, loss, initial, sgd);
  }

  @Override
  public HeadStep forward(NDArray embeddings, NDArray labels) {
    DenseCosineStep.Result r = DenseCosineStep.compute(loss, embeddings, w, labels);
    keepGradient(r.prototypeGradient());
    return r.step();
  }

  @Override
  public void update(double learningRate) {
    if (pendingGradient == null) {
      return;
    }
    sgd.step(
        w, v, pendingGradient, learningRate); // in place, at most one C × d temporary at a time
    pendingGradient.close();
    pendingGradient = null;
  }

  /** Gradient of the last forward pass with respect to W (C, d), or null. */
  public NDArray lastPrototypeGradient() {
    return pendingGradient;
  }
}
