package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A prototype matrix W (C × d) with SGD momentum state v, stored in engine (off-heap) memory, whose
 * optimizer step writes only the rows that had a gradient, yet equals dense SGD (see {@link
 * SgdSettings}) up to round-off.
 *
 * <p>Why this is exact. A row without gradient still moves under dense SGD: (W, v) ← M_t (W, v) with
 * the 2 × 2 matrix M_t = [[1 − η_t λ, −η_t μ], [λ, μ]], the same for every row. So each row j keeps
 * its <em>base</em> (W_j, v_j) from its last update plus a 2 × 2 transform A_j (the product of the
 * M_t since then, in Java memory, O(C) scalars updated per step); its current value is A_j applied
 * to the base. Weight decay and momentum are thereby applied lazily, when the row is next touched.
 *
 * <p>For the cosines only the direction matters. The fast mode of M decays as μ^t; after T steps
 * (μ^T ≤ 2^−30) the transformed row is parallel to its transformed momentum, and from then on every
 * M_t only rescales it. Such a row is <em>folded</em> (base ← current, A ← I) once, and its stored
 * direction is exact for cosines until its next update. Rows updated within the last T steps are
 * <em>active</em>: the sparse head computes their cosines from the transform and masks them out of
 * the streamed pass ({@link #mask()} holds −∞ for them).
 */
public final class LazyPrototypeTable implements AutoCloseable {
  private final NDManager manager;
  private final int classes;
  private final int dim;
  private final SgdSettings sgd;
  private final int window;
  private final NDArray w;
  private final NDArray v;
  private final NDArray inverseNorms;
  private final NDArray mask;
  private final double[] transform; // 4 per row: a11 a12 a21 a22
  private final long[] lastUpdate;
  private final ArrayDeque<int[]> recent = new ArrayDeque<>();
  private long step;

  /** A table initialised from the given weights (copied into a new manager; v = 0). */
  public LazyPrototypeTable(NDManager parent, NDArray initial, SgdSettings sgd) {
    this.manager = parent.newSubManager();
    this.classes = Math.toIntExact(initial.getShape().get(0));
    this.dim = Math.toIntExact(initial.getShape().get(1));
    this.sgd = sgd;
    this.window = sgd.momentum() == 0 ? 0 : (int) Math.ceil(30 * Math.log(2) / -Math.log(sgd.momentum()));
    this.w = initial.toType(DataType.FLOAT32, false).duplicate();
    w.attach(manager);
    this.v = manager.zeros(new Shape(classes, dim), DataType.FLOAT32);
    this.inverseNorms = w.norm(new int[] {1}).maximum(1e-12f).pow(-1);
    inverseNorms.attach(manager);
    this.mask = manager.zeros(new Shape(classes), DataType.FLOAT32);
    this.transform = new double[4 * classes];
    for (int j = 0; j < classes; j++) {
      transform[4 * j] = 1;
      transform[4 * j + 3] = 1;
    }
    this.lastUpdate = new long[classes];
    Arrays.fill(lastUpdate, -1);
  }

  public int classes() {
    return classes;
  }

  public int dim() {
    return dim;
  }

  public long step() {
    return step;
  }

  /** Steps a row stays active after an update (T). */
  public int window() {
    return window;
  }

  NDManager manager() {
    return manager;
  }

  /** Base weights; for rows that are not active their direction is the current one. */
  NDArray baseWeights() {
    return w;
  }

  /** 1/|W_j| of the base weights. */
  NDArray inverseNorms() {
    return inverseNorms;
  }

  /** 0 for rows whose base direction is current, −∞ for active rows. */
  NDArray mask() {
    return mask;
  }

  /** Rows updated within the last T steps, ascending. */
  public int[] activeRows() {
    return recent.stream().flatMapToInt(Arrays::stream).filter(j -> lastUpdate[j] > step - window).distinct().sorted().toArray();
  }

  /** Current W rows (r × d) as a new array on the given manager. */
  public NDArray currentRows(NDManager target, int[] rows) {
    return current(target, target.create(rows), rows, false);
  }

  /** Current W (or v) rows: a·base_W + b·base_v with each row's transform coefficients (a, b). */
  private NDArray current(NDManager target, NDArray idx, int[] rows, boolean momentum) {
    float[] a = new float[rows.length];
    float[] b = new float[rows.length];
    boolean anyB = false;
    for (int r = 0; r < rows.length; r++) {
      int o = 4 * rows[r] + (momentum ? 2 : 0);
      a[r] = (float) transform[o];
      b[r] = (float) transform[o + 1];
      anyB |= b[r] != 0;
    }
    NDArray out = w.get(target, new NDIndex("{}", idx)).mul(target.create(a).expandDims(1));
    if (anyB) {
      out = out.add(v.get(target, new NDIndex("{}", idx)).mul(target.create(b).expandDims(1)));
    }
    return out;
  }

  /** Current W (or v) rows, flattened r × d. */
  float[] currentRowValues(int[] rows, boolean momentum) {
    if (rows.length == 0) {
      return new float[0];
    }
    try (NDManager tmp = manager.newSubManager()) {
      return current(tmp, tmp.create(rows), rows, momentum).toFloatArray();
    }
  }

  /**
   * One optimizer step: rows with a gradient get the explicit SGD update from their current state;
   * every other row's transform advances by M_t; rows that leave the active window are folded.
   *
   * @param rows rows with a gradient (distinct)
   * @param gradients their gradients, flattened rows.length × d
   */
  public void step(int[] rows, float[] gradients, double learningRate) {
    try (NDManager tmp = manager.newSubManager()) {
      step(rows, tmp.create(gradients, new Shape(rows.length, dim)), learningRate);
    }
  }

  /** {@link #step(int[], float[], double)} with the gradients (rows.length, d) on the engine. */
  public void step(int[] rows, NDArray gradients, double learningRate) {
    double mu = sgd.momentum();
    double wd = sgd.weightDecay();
    try (NDManager tmp = manager.newSubManager()) {
      if (rows.length > 0) {
        NDArray idx = tmp.create(rows);
        NDArray curW = current(tmp, idx, rows, false);
        NDArray curV = current(tmp, idx, rows, true);
        NDArray vel = curV.mul(mu).add(gradients).add(curW.mul(wd));
        NDArray newW = curW.sub(vel.mul(learningRate));
        w.set(new NDIndex("{}", idx), newW);
        v.set(new NDIndex("{}", idx), vel);
        inverseNorms.set(new NDIndex("{}", idx), newW.norm(new int[] {1}).maximum(1e-12f).pow(-1));
      }
    }
    // M_t for every row; the updated rows then restart from the identity
    double m11 = 1 - learningRate * wd;
    double m12 = -learningRate * mu;
    double m21 = wd;
    double m22 = mu;
    for (int j = 0; j < classes; j++) {
      int o = 4 * j;
      double a11 = transform[o];
      double a12 = transform[o + 1];
      double a21 = transform[o + 2];
      double a22 = transform[o + 3];
      transform[o] = m11 * a11 + m12 * a21;
      transform[o + 1] = m11 * a12 + m12 * a22;
      transform[o + 2] = m21 * a11 + m22 * a21;
      transform[o + 3] = m21 * a12 + m22 * a22;
    }
    resetTransform(rows);
    step++;
    for (int j : rows) {
      lastUpdate[j] = step;
    }
    if (window > 0 && rows.length > 0) {
      setMask(rows, Float.NEGATIVE_INFINITY);
      recent.addLast(rows.clone());
    }
    while (recent.size() > window) {
      int[] old = recent.removeFirst();
      fold(Arrays.stream(old).filter(j -> lastUpdate[j] <= step - window).toArray());
    }
  }

  private void resetTransform(int[] rows) {
    for (int j : rows) {
      int o = 4 * j;
      transform[o] = 1;
      transform[o + 1] = 0;
      transform[o + 2] = 0;
      transform[o + 3] = 1;
    }
  }

  /** Base ← current for rows whose fast mode has decayed; their stored direction is then exact. */
  private void fold(int[] rows) {
    if (rows.length == 0) {
      return;
    }
    try (NDManager tmp = manager.newSubManager()) {
      NDArray idx = tmp.create(rows);
      NDArray curW = current(tmp, idx, rows, false);
      NDArray curV = current(tmp, idx, rows, true);
      w.set(new NDIndex("{}", idx), curW);
      v.set(new NDIndex("{}", idx), curV);
      inverseNorms.set(new NDIndex("{}", idx), curW.norm(new int[] {1}).maximum(1e-12f).pow(-1));
    }
    resetTransform(rows);
    setMask(rows, 0f);
  }

  private void setMask(int[] rows, float value) {
    try (NDManager tmp = manager.newSubManager()) {
      mask.set(new NDIndex("{}", tmp.create(rows)), value);
    }
  }

  /** Bytes of the engine arrays W, v (the table and its optimizer state). */
  public long tableBytes() {
    return 2L * classes * dim * 4;
  }

  @Override
  public void close() {
    manager.close();
  }
}
