package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A classification head that owns its prototype matrix and that matrix's optimizer, so that it can
 * store and update it in the way that suits its size (dense, exact sparse, or sampled). The
 * training loop calls {@link #forward}, back-propagates the returned loss into the backbone, then
 * calls {@link #update} with the step's learning rate.
 */
public interface TrainableHead extends AutoCloseable {

  /** Loss of a batch: embeddings (B, d), labels (B). Remembers what {@link #update} needs. */
  HeadStep forward(NDArray embeddings, NDArray labels);

  /** Replaces the loss used from the next forward pass on (the margin scheduler's ramp). */
  void setLoss(io.qmargin.loss.VerificationLoss loss);

  /** Applies the prototype update of the last forward pass. */
  void update(double learningRate);

  int classes();

  int dim();

  /** Current values of the given prototype rows, flattened (r × d). */
  float[] prototypeRows(int[] rows);

  /**
   * Sets the given rows to new values (flattened r × d) and their momentum to zero: the prototype
   * re-initialisation of A3M (docs/method.md section 5).
   */
  void resetRows(int[] rows, float[] values);

  /**
   * Writes prototypes, optimizer state and any sampling state into {@code dir} (atomically per
   * file).
   */
  void save(Path dir) throws IOException;

  /** Restores what {@link #save} wrote; the head must have the same number of classes and dim. */
  void restore(Path dir) throws IOException;

  @Override
  void close();
}
