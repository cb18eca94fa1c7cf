package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.qmargin.UserInputException;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import io.qmargin.io.Npy;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A prototype matrix W (C × d) with SGD momentum state v, stored in engine (off-heap) memory, whose
 * optimizer step writes only the rows that had a gradient, yet equals dense SGD (see {@link
 * SgdSettings}) up to round-off.
 *
 * <p>Why this is exact. A row without gradient still moves under dense SGD: (W, v) ← M_t (W, v) with
 * the 2 × 2 matrix M_t = [[1 − η_t λ, −η_t μ], [λ, μ]], the same for every row. So each row j keeps
 * its <em>base</em> (W_j, v_j) from its last write plus a 2 × 2 transform A_j (the product of the
 * M_t since then; O(C) scalars updated per step); its current value is W = a·W_base + b·v_base with
 * (a, b) the first row of A_j. Weight decay and momentum are thereby applied lazily: a row is
 * written only when it has a gradient.
 *
 * <p>Cosines need the current direction. {@link #blockCosines} computes it exactly from two matrix
 * products, x·W_base^T and x·v_base^T, mixed per row by (a, b) and normalised with |a·W + b·v|²
 * from the maintained |W|², ⟨W, v⟩ and |v|². The second product is needed only for rows updated
 * within the last T steps: after T steps (μ^T ≤ 2^−30) the fast mode of M has decayed, v is
 * parallel to W, and the row is <em>folded</em> (base ← current, A ← I); its base direction is then
 * its current one. Blocks without such rows cost one matrix product.
 */
public final class LazyPrototypeTable implements AutoCloseable {
  /** Step timings at debug level (logger io.qmargin.head.LazyPrototypeTable). */
  private static final Logger LOG = LoggerFactory.getLogger(LazyPrototypeTable.class);
  private final NDManager manager;
  private final int classes;
  private final int dim;
  private final int blockRows;
  private final SgdSettings sgd;
  private final int window;
  private final NDArray w;
  private final NDArray v;
  private final NDArray normW2; // |W_base|²
  private final NDArray dotWv; // ⟨W_base, v_base⟩
  private final NDArray normV2; // |v_base|²
  private final double[] transform; // 4 per row: a11 a12 a21 a22
  private final long[] lastUpdate;
  private final int[] unfoldedInBlock;
  private final boolean[] isUnfolded;
  private final ArrayDeque<int[]> recent = new ArrayDeque<>();
  private long step;
  private NDArray coefA; // per step: a11, a12 and 1/|current W| for all rows (lazy)
  private NDArray coefB;
  private NDArray inverseNorm;

  /** A table initialised from the given weights (copied; v = 0), streamed in blocks of rows. */
  public LazyPrototypeTable(NDManager parent, NDArray initial, SgdSettings sgd, int blockRows) {
    this.manager = parent.newSubManager();
    this.classes = Math.toIntExact(initial.getShape().get(0));
    this.dim = Math.toIntExact(initial.getShape().get(1));
    this.blockRows = blockRows;
    this.sgd = sgd;
    this.window = sgd.momentum() == 0 ? 0 : (int) Math.ceil(30 * Math.log(2) / -Math.log(sgd.momentum()));
    this.w = initial.toType(DataType.FLOAT32, false).duplicate();
    w.attach(manager);
    this.v = manager.zeros(new Shape(classes, dim), DataType.FLOAT32);
    this.normW2 = manager.zeros(new Shape(classes), DataType.FLOAT32);
    for (int start = 0; start < classes; start += blockRows) {
      int end = Math.min(classes, start + blockRows);
      try (NDManager tmp = manager.newSubManager()) {
        NDIndex range = new NDIndex(start + ":" + end);
        NDArray b = w.get(tmp, range);
        normW2.set(range, b.mul(b).sum(new int[] {1}));
      }
    }
    this.dotWv = manager.zeros(new Shape(classes), DataType.FLOAT32);
    this.normV2 = manager.zeros(new Shape(classes), DataType.FLOAT32);
    this.transform = new double[4 * classes];
    for (int j = 0; j < classes; j++) {
      transform[4 * j] = 1;
      transform[4 * j + 3] = 1;
    }
    this.lastUpdate = new long[classes];
    Arrays.fill(lastUpdate, -1);
    this.unfoldedInBlock = new int[(classes + blockRows - 1) / blockRows];
    this.isUnfolded = new boolean[classes];
  }

  public int classes() {
    return classes;
  }

  public int dim() {
    return dim;
  }

  public int blockRows() {
    return blockRows;
  }

  public long step() {
    return step;
  }

  /** Steps a row keeps a momentum component that is not parallel to it (T). */
  public int window() {
    return window;
  }

  NDManager manager() {
    return manager;
  }

  /** Cosines (B × (end − start)) of unit-norm embeddings x to the current rows start..end−1. */
  public NDArray blockCosines(NDManager target, NDArray x, int start, int end) {
    prepareCoefficients();
    NDIndex range = new NDIndex(start + ":" + end);
    // (end − start) × B, so that rows of the block can be updated by index below
    NDArray cosT = w.get(target, range).matMul(x.transpose()).mul(coefA.get(target, range).expandDims(1));
    int unfolded = unfoldedInBlock[start / blockRows];
    if (unfolded * 4 >= end - start) {
      cosT = cosT.add(v.get(target, range).matMul(x.transpose()).mul(coefB.get(target, range).expandDims(1)));
    } else if (unfolded > 0) {
      // few rows with a live momentum component: their b·⟨x, v⟩ from the gathered rows only
      int[] rows = new int[unfolded];
      int n = 0;
      for (int j = start; j < end && n < unfolded; j++) {
        if (isUnfolded[j]) {
          rows[n++] = j;
        }
      }
      NDArray global = target.create(Arrays.copyOf(rows, n));
      NDArray local = global.sub(start);
      NDIndex at = new NDIndex("{}", local);
      NDArray extra = v.get(target, new NDIndex("{}", global)).matMul(x.transpose())
          .mul(coefB.get(target, new NDIndex("{}", global)).expandDims(1));
      cosT.set(at, cosT.get(target, at).add(extra));
    }
    return cosT.mul(inverseNorm.get(target, range).expandDims(1)).transpose();
  }

  private void prepareCoefficients() {
    if (coefA != null) {
      return;
    }
    float[] a = new float[classes];
    float[] b = new float[classes];
    for (int j = 0; j < classes; j++) {
      a[j] = (float) transform[4 * j];
      b[j] = (float) transform[4 * j + 1];
    }
    coefA = manager.create(a);
    coefB = manager.create(b);
    // |a W + b v|² = a²|W|² + 2ab⟨W, v⟩ + b²|v|². Temporaries start from arrays of tmp: a result
    // belongs to its first operand's manager, and C-sized leftovers on the table's would pile up.
    try (NDManager tmp = manager.newSubManager()) {
      NDArray ca = tmp.create(a);
      NDArray cb = tmp.create(b);
      NDArray n2 = ca.square().mul(normW2).add(ca.mul(cb).mul(2).mul(dotWv)).add(cb.square().mul(normV2));
      inverseNorm = n2.maximum(1e-24f).sqrt().pow(-1);
      inverseNorm.attach(manager);
    }
  }

  private void invalidateCoefficients() {
    if (coefA != null) {
      coefA.close();
      coefB.close();
      inverseNorm.close();
      coefA = null;
    }
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

  /** Current (W, v) rows from one gather of the base rows: the first two rows of each transform. */
  private NDArray[] currentBoth(NDManager target, NDArray idx, int[] rows) {
    float[][] c = new float[4][rows.length];
    for (int r = 0; r < rows.length; r++) {
      for (int k = 0; k < 4; k++) {
        c[k][r] = (float) transform[4 * rows[r] + k];
      }
    }
    NDIndex at = new NDIndex("{}", idx);
    NDArray baseW = w.get(target, at);
    NDArray baseV = v.get(target, at);
    NDArray[] coef = new NDArray[4];
    for (int k = 0; k < 4; k++) {
      coef[k] = target.create(c[k]).expandDims(1);
    }
    // few fresh allocations: large new tensors are slow to fault in here (docs/engine.md)
    NDArray curW = baseW.mul(coef[0]).addi(baseV.mul(coef[1]));
    NDArray curV = baseW.muli(coef[2]).addi(baseV.muli(coef[3]));
    return new NDArray[] {curW, curV};
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
   * every other row's transform advances by M_t; rows whose fast mode has decayed are folded.
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
    long t0 = System.nanoTime();
    double mu = sgd.momentum();
    double wd = sgd.weightDecay();
    if (rows.length > 0) {
      try (NDManager tmp = manager.newSubManager()) {
        NDArray idx = tmp.create(rows);
        NDArray[] cur = currentBoth(tmp, idx, rows);
        NDArray curW = cur[0];
        NDArray vel = cur[1].muli(mu).addi(gradients).addi(curW.mul(wd));
        writeBase(idx, curW.subi(vel.mul(learningRate)), vel);
      }
    }
    // M_t for every row; the written rows restart from the identity
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
    if (window > 0) {
      for (int j : rows) {
        if (lastUpdate[j] <= step - 1 - window || lastUpdate[j] < 0) {
          unfoldedInBlock[j / blockRows]++;
          isUnfolded[j] = true;
        }
        lastUpdate[j] = step;
      }
      recent.addLast(rows.clone());
      while (recent.size() > window) {
        fold(Arrays.stream(recent.removeFirst()).filter(j -> lastUpdate[j] == step - window).toArray());
      }
    } else {
      for (int j : rows) {
        lastUpdate[j] = step;
      }
    }
    invalidateCoefficients();
    if (LOG.isDebugEnabled()) {
      LOG.debug(String.format(java.util.Locale.ROOT, "table step: %.3f s (%d rows written)", (System.nanoTime() - t0) / 1e9,
          rows.length));
    }
  }

  /** Base ← current for rows whose fast mode has decayed; their base direction is then exact. */
  private void fold(int[] rows) {
    if (rows.length == 0) {
      return;
    }
    try (NDManager tmp = manager.newSubManager()) {
      NDArray idx = tmp.create(rows);
      NDArray[] cur = currentBoth(tmp, idx, rows);
      writeBase(idx, cur[0], cur[1]);
    }
    resetTransform(rows);
    for (int j : rows) {
      unfoldedInBlock[j / blockRows]--;
      isUnfolded[j] = false;
    }
  }

  private void writeBase(NDArray idx, NDArray newW, NDArray newV) {
    NDIndex at = new NDIndex("{}", idx);
    w.set(at, newW);
    v.set(at, newV);
    normW2.set(at, newW.mul(newW).sum(new int[] {1}));
    dotWv.set(at, newW.mul(newV).sum(new int[] {1}));
    normV2.set(at, newV.mul(newV).sum(new int[] {1}));
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

  /**
   * Sets rows to new values with zero momentum (A3M's prototype re-initialisation); they restart
   * from the identity transform, as if just folded.
   *
   * @param values flattened rows.length × d
   */
  public void resetRows(int[] rows, float[] values) {
    if (rows.length == 0) {
      return;
    }
    try (NDManager tmp = manager.newSubManager()) {
      writeBase(tmp.create(rows), tmp.create(values, new Shape(rows.length, dim)),
          tmp.zeros(new Shape(rows.length, dim), DataType.FLOAT32));
    }
    resetTransform(rows);
    for (int j : rows) {
      if (isUnfolded[j]) {
        unfoldedInBlock[j / blockRows]--;
        isUnfolded[j] = false;
      }
      lastUpdate[j] = -1;
    }
    invalidateCoefficients();
  }

  SgdSettings sgd() {
    return sgd;
  }

  /**
   * Writes the table to a directory, atomically file by file: {@code prototypes.npy} and {@code
   * momentum.npy} (C × d float32, the base rows, written block by block so that any C fits),
   * {@code transform.npy} (C × 4 float64), {@code last_update.npy} (C int64) and {@code
   * state.json} (step and the rows of the last T updates). {@link #load} restores it exactly.
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    writeMatrix(dir.resolve("prototypes.npy"), w);
    writeMatrix(dir.resolve("momentum.npy"), v);
    Npy.writeFloat64(dir.resolve("transform.npy"), transform, classes, 4);
    Npy.writeInt64(dir.resolve("last_update.npy"), lastUpdate, classes);
    var state = new java.util.LinkedHashMap<String, Object>();
    state.put("step", step);
    state.put("classes", classes);
    state.put("dim", dim);
    state.put("recent", new ArrayList<>(recent));
    AtomicFiles.writeString(dir.resolve("state.json"), Json.pretty(state));
  }

  /** Restores a table written by {@link #save}. */
  public static LazyPrototypeTable load(NDManager parent, Path dir, SgdSettings sgd, int blockRows) throws IOException {
    Npy.Header h = Npy.readHeader(dir.resolve("prototypes.npy"));
    if (h.shape().length != 2 || h.dtype() != Npy.DType.FLOAT32) {
      throw new UserInputException(h.file() + ": expected a float32 (C, d) matrix");
    }
    LazyPrototypeTable t;
    try (NDManager tmp = parent.newSubManager()) {
      t = new LazyPrototypeTable(parent, tmp.zeros(new Shape(h.shape()[0], h.shape()[1]), DataType.FLOAT32), sgd, blockRows);
    }
    readMatrix(h, t.w, t.manager, blockRows);
    readMatrix(Npy.readHeader(dir.resolve("momentum.npy")), t.v, t.manager, blockRows);
    double[] tr = Npy.read(dir.resolve("transform.npy")).requireRank(2, "transform").toDoubles();
    long[] last = Npy.read(dir.resolve("last_update.npy")).requireRank(1, "last_update").toLongs();
    if (tr.length != t.transform.length || last.length != t.classes) {
      throw new UserInputException(dir + ": transform.npy or last_update.npy does not match prototypes.npy");
    }
    System.arraycopy(tr, 0, t.transform, 0, tr.length);
    System.arraycopy(last, 0, t.lastUpdate, 0, last.length);
    var state = Json.mapper().readTree(dir.resolve("state.json").toFile());
    t.step = state.get("step").asLong();
    for (var rows : state.get("recent")) {
      int[] r = new int[rows.size()];
      for (int i = 0; i < r.length; i++) {
        r[i] = rows.get(i).asInt();
      }
      t.recent.addLast(r);
    }
    for (int j = 0; j < t.classes; j++) {
      if (t.window > 0 && t.lastUpdate[j] >= 0 && t.lastUpdate[j] > t.step - t.window) {
        t.unfoldedInBlock[j / blockRows]++;
        t.isUnfolded[j] = true;
      }
    }
    for (int start = 0; start < t.classes; start += blockRows) {
      int end = Math.min(t.classes, start + blockRows);
      try (NDManager tmp = t.manager.newSubManager()) {
        NDIndex range = new NDIndex(start + ":" + end);
        NDArray bw = t.w.get(tmp, range);
        NDArray bv = t.v.get(tmp, range);
        t.normW2.set(range, bw.mul(bw).sum(new int[] {1}));
        t.dotWv.set(range, bw.mul(bv).sum(new int[] {1}));
        t.normV2.set(range, bv.mul(bv).sum(new int[] {1}));
      }
    }
    return t;
  }

  private void writeMatrix(Path file, NDArray m) throws IOException {
    Npy.write(file, Npy.DType.FLOAT32, new long[] {classes, dim}, out -> {
      byte[] buf = null;
      for (int start = 0; start < classes; start += blockRows) {
        int end = Math.min(classes, start + blockRows);
        try (NDManager tmp = manager.newSubManager()) {
          java.nio.ByteBuffer b = m.get(tmp, new NDIndex(start + ":" + end)).toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
          if (buf == null || buf.length < b.remaining()) {
            buf = new byte[b.remaining()];
          }
          int n = b.remaining();
          b.get(buf, 0, n);
          out.write(buf, 0, n);
        }
      }
    });
  }

  private static void readMatrix(Npy.Header h, NDArray target, NDManager manager, int blockRows) {
    long rows = h.shape()[0];
    long cols = h.shape()[1];
    if (rows != target.getShape().get(0) || cols != target.getShape().get(1) || h.dtype() != Npy.DType.FLOAT32) {
      throw new UserInputException(h.file() + ": shape " + Npy.shapeString(h.shape()) + " does not match " + target.getShape());
    }
    for (long start = 0; start < rows; start += blockRows) {
      long end = Math.min(rows, start + blockRows);
      java.nio.ByteBuffer data = Npy.readData(h, start * cols * 4, Math.toIntExact((end - start) * cols * 4));
      try (NDManager tmp = manager.newSubManager()) {
        target.set(new NDIndex(start + ":" + end), tmp.create(data.asFloatBuffer(), new Shape(end - start, cols)));
      }
    }
  }

  /** Rows whose momentum is not yet parallel to them (updated within the last T steps). */
  public long unfoldedRows() {
    return Arrays.stream(unfoldedInBlock).asLongStream().sum();
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
