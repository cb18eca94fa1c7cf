package io.qmargin.head;

import ai.djl.ndarray.NDArray;

/**
 * A classification head that owns its prototype matrix and that matrix's optimizer, so that it can
 * store and update it in the way that suits its size (dense, exact sparse, or sampled). The training
 * loop calls {@link #forward}, back-propagates the returned loss into the backbone, then calls
 * {@link #update} with the step's learning rate.
 */
public interface TrainableHead extends AutoCloseable {

  /** Loss of a batch: embeddings (B, d), labels (B). Remembers what {@link #update} needs. */
  HeadStep forward(NDArray embeddings, NDArray labels);

  /** Applies the prototype update of the last forward pass. */
  void update(double learningRate);

  int classes();

  int dim();

  /** Current values of the given prototype rows (r, d), as float32 on the head's manager. */
  float[] prototypeRows(int[] rows);

  @Override
  void close();
}
