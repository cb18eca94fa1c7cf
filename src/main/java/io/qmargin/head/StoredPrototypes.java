package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.qmargin.loss.VerificationLoss;

/**
 * What the dense head and Partial FC share: the prototype matrix W and its momentum v, stored
 * explicitly in engine memory, and the prototype gradient kept between forward and update.
 */
abstract class StoredPrototypes implements TrainableHead {
  protected final VerificationLoss loss;
  protected final SgdSettings sgd;
  protected final NDManager manager;
  protected final NDArray w;
  protected final NDArray v;
  protected NDArray pendingGradient;

  StoredPrototypes(NDManager parent, VerificationLoss loss, NDArray initial, SgdSettings sgd) {
    this.loss = loss;
    this.sgd = sgd;
    this.manager = parent.newSubManager();
    this.w = initial.toType(DataType.FLOAT32, false).duplicate();
    w.attach(manager);
    this.v = w.zerosLike();
  }

  /** Keeps the prototype gradient of this forward pass (replacing an unused earlier one). */
  protected void keepGradient(NDArray gradient) {
    if (pendingGradient != null) {
      pendingGradient.close();
    }
    pendingGradient = gradient;
    pendingGradient.attach(manager);
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
