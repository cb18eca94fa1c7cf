package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.qmargin.loss.VerificationLoss;

/**
 * The dense head: all C prototypes, the B × C cosines, and dense SGD over the whole matrix (see
 * {@link SgdSettings}). Any loss of the family; the reference the other heads are measured against.
 */
public final class DenseHead implements TrainableHead {
  private final VerificationLoss loss;
  private final SgdSettings sgd;
  private final NDManager manager;
  private final NDArray w;
  private final NDArray v;
  private NDArray pendingGradient;

  public DenseHead(NDManager parent, VerificationLoss loss, NDArray initial, SgdSettings sgd) {
    this.loss = loss;
    this.sgd = sgd;
    this.manager = parent.newSubManager();
    this.w = initial.toType(DataType.FLOAT32, false).duplicate();
    w.attach(manager);
    this.v = w.zerosLike();
  }

  @Override
  public HeadStep forward(NDArray embeddings, NDArray labels) {
    DenseCosineStep.Result r = DenseCosineStep.compute(loss, embeddings, w, labels);
    if (pendingGradient != null) {
      pendingGradient.close();
    }
    pendingGradient = r.prototypeGradient();
    pendingGradient.attach(manager);
    return r.step();
  }

  @Override
  public void update(double learningRate) {
    if (pendingGradient == null) {
      return;
    }
    // in place, with at most one C × d temporary at a time
    v.muli(sgd.momentum()).addi(pendingGradient);
    try (NDManager scope = manager.newSubManager()) {
      NDArray decay = w.mul(sgd.weightDecay());
      decay.attach(scope);
      v.addi(decay);
    }
    try (NDManager scope = manager.newSubManager()) {
      NDArray stepV = v.mul(learningRate);
      stepV.attach(scope);
      w.subi(stepV);
    }
    pendingGradient.close();
    pendingGradient = null;
  }

  /** Gradient of the last forward pass with respect to W (C, d), or null. */
  public NDArray lastPrototypeGradient() {
    return pendingGradient;
  }

  @Override
  public int classes() {
    return (int) w.getShape().get(0);
  }

  @Override
  public int dim() {
    return (int) w.getShape().get(1);
  }

  @Override
  public float[] prototypeRows(int[] rows) {
    try (NDManager scope = manager.newSubManager()) {
      return w.get(scope.create(rows)).toFloatArray();
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
