package io.qmargin.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Numbers for operations that autograd records and whose backward pass reads the number: {@code
 * mul}, {@code div}, {@code maximum}, {@code minimum}, {@code pow} ({@code add} and {@code sub} do
 * not read it, so their Number overloads are safe).
 *
 * <p>Why: DJL 0.36's {@code x.div(3)} (and the other Number overloads) wraps the number in a 0-d
 * tensor that shares a Java direct buffer, and closes it right after the operation. Autograd still
 * holds that tensor for the backward pass, but the buffer is freed at the next garbage collection
 * and its memory reused: the gradient then reads freed memory. Measured: after {@code System.gc()}
 * and some allocations, ∂(Σ x/3)/∂x came out as −3.5e−31 instead of 1/3 in 20 of 20 trials; in
 * speaker training it showed as a rare non-finite or run-to-run different gradient. The tensors
 * made here are engine-owned copies, so autograd keeps them alive for as long as it needs them.
 */
public final class Scalars {
  private Scalars() {}

  /**
   * {@code value} as a 0-d engine-owned tensor of {@code like}'s data type, on {@code like}'s
   * manager.
   */
  public static NDArray of(NDArray like, double value) {
    NDManager manager = like.getManager();
    NDArray shared =
        like.getDataType() == DataType.FLOAT64
            ? manager.create(value)
            : manager.create((float) value);
    NDArray owned = shared.duplicate();
    shared.close();
    return owned;
  }
}
