package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.IValue;
import io.qmargin.UserInputException;
import io.qmargin.engine.TorchScriptModule;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import io.qmargin.io.Npy;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A prototype matrix W (C × d) with SGD momentum state v, stored in engine (off-heap) memory, whose
 * optimizer step writes only the rows that had a gradient, yet equals dense SGD ({@link
 * SgdSettings#step} on all rows, the others with a zero gradient) up to round-off.
 *
 * <p>Why this is exact. A row without gradient still moves under dense SGD: (W, v) ← M_t (W, v)
 * with the 2 × 2 matrix M_t = [[1 − η_t λ, −η_t μ], [λ, μ]], the same for every row. So each row j
 * keeps its <em>base</em> (W_j, v_j) from its last write plus a 2 × 2 transform A_j (the product of
 * the M_t since then; O(C) scalars updated per step); its current value is W = a·W_base + b·v_base
 * with (a, b) the first row of A_j. Weight decay and momentum are thereby applied lazily: a row is
 * written only when it has a gradient.
 *
 * <p>Scoring without a second pass over v. Split v_base = κ·W_base + v⊥ (κ = ⟨W, v⟩/|W|²). Then
 * cos(x, W_current) = σ_j·⟨x, W_base⟩ + b·⟨x, v⊥⟩/|W_current| with σ_j = (a + bκ)/|W_current|, so
 * {@link #approximateCosines} scores a block with one matrix product and a per-row scale, and is
 * off by at most δ_j = |b|·|v⊥|/|W_current| for unit x. The Gram numbers |W|², ⟨W, v⟩, |v|², |v⊥|
 * of every base row are kept on the Java heap, so σ_j and δ_j cost O(1) per row and step. Rows with
 * δ_j above a cap (recently written rows whose momentum still turns them, typically the batch's
 * targets) are listed by {@link #exactRows()} and must be scored exactly from their gathered
 * current rows; {@link #approximationBound()} bounds the error of all others, round-off included. A
 * row whose momentum has turned parallel to it again is <em>folded</em> (base ← current, A ← I),
 * which makes its δ_j negligible.
 *
 * <p>Screening and row writes. With {@link ScreeningPrecision#BF16} the unit base rows are kept a
 * second time in bfloat16, with each row's rounding error, for {@link Screening}. Rows are written
 * whole (W, v and the bfloat16 copy together) by the TorchScript kernels in {@code
 * PrototypeKernels.torchscript}, which also return the new rows' Gram numbers.
 */
public final class LazyPrototypeTable implements AutoCloseable {
  /** Step timings at debug level (logger io.qmargin.head.LazyPrototypeTable). */
  private static final Logger LOG = LoggerFactory.getLogger(LazyPrototypeTable.class);

  /** δ_j above which a row is scored exactly (cosine units; 2e-3 is 0.07 logits at s = 35). */
  public static final double DEFAULT_APPROXIMATION_CAP = 2e-3;

  /**
   * Rows per piece of the row updates: keeps temporaries small enough for the allocator to reuse.
   */
  private static final int CHUNK = 8192;

  /**
   * Screening: a block whose bfloat16 pass leaves more pairs than this per row takes the float32
   * product.
   */
  static final int MOST_PAIRS_PER_ROW = 8;

  private final NDManager manager;
  private final int classes;
  private final int dim;
  private final int blockRows;
  private final SgdSettings sgd;
  private final double approximationCap;
  private final NDArray w;
  private final NDArray v;
  private final ScreeningPrecision precision;
  private final TorchScriptModule kernels;
  private IValue screenCopy; // the unit base rows in bfloat16 (BF16 screening), else null
  private float[] roundingError; // BF16: |Ŵ_j − bf16(Ŵ_j)| per row
  private double largestRoundingError = Double.NaN; // of all rows, NaN until computed
  private final double[] gram; // 4 per base row: |W|², ⟨W, v⟩, |v|², |v⊥|
  private final double[] transform; // 4 per row: a11 a12 a21 a22
  private final double[]
      baseScale; // |W_base| at the last write: W_base = baseScale·(stored unit row)
  private final StagingBuffer staging = new StagingBuffer();
  private long step;
  private long version; // counts changes of the stored rows: gathered copies are valid within one
  private double lastLearningRate;
  private Scoring scoring; // per step, computed on first use

  /** Per-step scoring: the rows to score exactly, and the error bound of the others. */
  private record Scoring(boolean[] exact, int[] exactRows, double bound) {}

  /** A table initialised from the given weights (copied; v = 0), streamed in blocks of rows. */
  public LazyPrototypeTable(NDManager parent, NDArray initial, SgdSettings sgd, int blockRows) {
    this(parent, initial, sgd, blockRows, DEFAULT_APPROXIMATION_CAP);
  }

  /** As above, with the cap on δ_j above which rows are scored exactly (0: every moving row). */
  public LazyPrototypeTable(
      NDManager parent, NDArray initial, SgdSettings sgd, int blockRows, double approximationCap) {
    this(parent, initial, sgd, blockRows, approximationCap, ScreeningPrecision.auto());
  }

  /** As above, with the number format of the screening product. */
  public LazyPrototypeTable(
      NDManager parent,
      NDArray initial,
      SgdSettings sgd,
      int blockRows,
      double approximationCap,
      ScreeningPrecision precision) {
    if (!(approximationCap >= 0)) {
      throw new IllegalArgumentException("approximation cap must be >= 0");
    }
    this.manager = parent.newSubManager();
    this.classes = Math.toIntExact(initial.getShape().get(0));
    this.dim = Math.toIntExact(initial.getShape().get(1));
    this.blockRows = blockRows;
    this.sgd = sgd;
    this.approximationCap = approximationCap;
    this.w = initial.toType(DataType.FLOAT32, false).duplicate();
    w.attach(manager);
    this.v = manager.zeros(new Shape(classes, dim), DataType.FLOAT32);
    this.gram = new double[4 * classes];
    this.transform = new double[4 * classes];
    this.baseScale = new double[classes];
    for (int j = 0; j < classes; j++) {
      transform[4 * j] = 1;
      transform[4 * j + 3] = 1;
    }
    this.precision = precision;
    this.kernels = kernels(manager);
    normaliseBase();
    refreshGram();
    rebuildScreenCopy();
  }

  /**
   * The table's kernels (PrototypeKernels.torchscript), compiled on the given manager; close them.
   */
  public static TorchScriptModule kernels(NDManager manager) {
    return TorchScriptModule.compileResource(
        manager, "PrototypeKernels", LazyPrototypeTable.class, "PrototypeKernels.torchscript");
  }

  /** The bfloat16 copy of the unit base rows, made afresh from W (BF16 screening only). */
  private void rebuildScreenCopy() {
    if (screenCopy != null) {
      screenCopy.close();
      screenCopy = null;
    }
    if (precision == ScreeningPrecision.BF16) {
      screenCopy = kernels.run("to_bfloat16", w);
      try (NDManager tmp = manager.newSubManager()) {
        roundingError =
            kernels.runTensor(tmp, "rounding_errors", w, (long) blockRows).toFloatArray();
      }
      largestRoundingError = Double.NaN;
    }
  }

  /** The largest |Ŵ_j − bf16(Ŵ_j)| over all rows (BF16 screening). */
  private double largestRoundingError() {
    if (Double.isNaN(largestRoundingError)) {
      double max = 0;
      for (float e : roundingError) {
        max = Math.max(max, e);
      }
      largestRoundingError = max;
    }
    return largestRoundingError;
  }

  public ScreeningPrecision screeningPrecision() {
    return precision;
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

  NDManager manager() {
    return manager;
  }

  /**
   * Approximate cosines ((end − start) × B) of the current rows start..end−1 to unit embeddings
   * given transposed (d × B): ⟨x, Ŵ_base⟩ with the stored unit base rows, within {@link
   * #approximationBound()} of the exact cosine for every row not in {@link #exactRows()}. One
   * matrix product, nothing else: these are the "raw" values that {@link #refineCosines} makes
   * exact.
   */
  public NDArray approximateCosines(NDManager target, NDArray embeddingsT, int start, int end) {
    return w.get(target, new NDIndex(start + ":" + end)).matMul(embeddingsT);
  }

  /**
   * One step's screening of all rows against unit embeddings given as rows (B × d): the pairs whose
   * raw value ⟨x, Ŵ_base⟩ exceeds a per-sample limit, block by block. Close it at the end of the
   * step.
   */
  public Screening screening(NDArray embeddings) {
    return new Screening(embeddings);
  }

  /**
   * Screened pairs of a block: flat = (row − start)·B + sample, and their raw values ⟨x, Ŵ_base⟩.
   */
  public record Screened(long[] flat, float[] values) {}

  /**
   * The embeddings of one step as the screening product needs them. In {@link
   * ScreeningPrecision#BF16} a block is first screened in bfloat16 against limits lowered by that
   * product's error bound ({@link ScreeningPrecision#coarseLimit}), and only the pairs that pass
   * get their raw value in float32 (one dot product per pair, the engine's sampled_addmm, each row
   * read once), which is then compared with the limit itself. The result is what the float32
   * product gives (up to float32 round-off right at a limit, which ε allows for), for a fraction of
   * its cost. A block where more pairs pass than {@link #MOST_PAIRS_PER_ROW} times its rows takes
   * the float32 product instead.
   */
  public final class Screening implements AutoCloseable {
    private final NDManager own = manager.newSubManager();
    private final NDArray columns; // d × B, float32
    private final IValue rounded; // BF16: d × B in bfloat16
    private final float[] xError; // BF16: |x − bf16(x)| per sample
    private final int samples;
    private long coarsePairs; // pairs that passed the bfloat16 limits

    private Screening(NDArray embeddings) {
      this.samples = Math.toIntExact(embeddings.getShape().get(0));
      this.columns = embeddings.transpose().duplicate();
      columns.attach(own);
      this.rounded =
          precision == ScreeningPrecision.BF16 ? kernels.run("to_bfloat16", columns) : null;
      this.xError =
          rounded == null
              ? null
              : kernels
                  .runTensor(own, "rounding_errors", embeddings, (long) samples)
                  .toFloatArray();
    }

    /**
     * The pairs of rows start..end−1 whose raw value exceeds the sample's limit, in row-major
     * order.
     */
    public Screened select(int start, int end, float[] limits) {
      try (NDManager tmp = own.newSubManager()) {
        NDArray fine = staging.floats(tmp, limits, new Shape(1, samples));
        NDArray[] out;
        if (rounded == null) {
          out = kernels.runTensors(tmp, "select", w, (long) start, (long) end, columns, fine);
        } else {
          float[] coarse = new float[samples];
          double wError = largestRoundingError();
          for (int r = 0; r < samples; r++) {
            coarse[r] = precision.coarseLimit(limits[r], dim, xError[r], wError);
          }
          // past this many pairs one float32 block product is cheaper than their dot products
          long most = (long) MOST_PAIRS_PER_ROW * (end - start);
          out =
              kernels.runTensors(
                  tmp,
                  "select_screened",
                  screenCopy,
                  w,
                  (long) start,
                  (long) end,
                  rounded,
                  columns,
                  staging.floats(tmp, coarse, new Shape(1, samples)),
                  fine,
                  most);
          coarsePairs += out[2].toLongArray()[0];
        }
        return new Screened(out[0].toLongArray(), out[1].toFloatArray());
      }
    }

    /**
     * The k pairs of every sample that rank highest by the screening product in rows start..end−1
     * (all rows if fewer), with their raw values ⟨x, Ŵ_base⟩, in row-major order: not necessarily
     * the k largest raw values, but each one a raw value of its pair.
     */
    public Screened top(int start, int end, int k) {
      try (NDManager tmp = own.newSubManager()) {
        NDArray[] out =
            kernels.runTensors(
                tmp,
                "block_top",
                rounded != null ? screenCopy : w,
                rounded != null,
                w,
                (long) start,
                (long) end,
                rounded != null ? rounded : columns,
                columns,
                (long) k);
        return new Screened(out[0].toLongArray(), out[1].toFloatArray());
      }
    }

    /** Pairs that passed the bfloat16 limits so far (BF16 only). */
    long coarsePairs() {
      return coarsePairs;
    }

    @Override
    public void close() {
      if (rounded != null) {
        LOG.debug("screening: {} pairs passed the bfloat16 limits", coarsePairs);
        rounded.close();
      }
      own.close();
    }
  }

  /** Rows whose approximate cosines are not good enough this step: score them exactly. */
  public int[] exactRows() {
    return scoring().exactRows().clone();
  }

  /** Which rows are in {@link #exactRows()}, indexed by row (the table's own array: read only). */
  boolean[] exactMask() {
    return scoring().exact();
  }

  /**
   * Bound on |approximate − exact cosine| for rows not in {@link #exactRows()}, for unit
   * embeddings: the largest δ_j plus float32 round-off of the two ways of computing a cosine.
   */
  public double approximationBound() {
    return scoring().bound();
  }

  private Scoring scoring() {
    if (scoring != null) {
      return scoring;
    }
    boolean[] exact = new boolean[classes];
    int exactCount = 0;
    double maxBound = 0;
    for (int j = 0; j < classes; j++) {
      double a = transform[4 * j];
      double b = transform[4 * j + 1];
      double ww = gram[4 * j];
      double norm = currentNorm(j);
      double inv = 1 / norm;
      double kappa = ww > 0 ? gram[4 * j + 1] / ww : 0;
      // cos = σ·⟨x, Ŵ⟩ + b·⟨x, v⊥⟩/|W|: off from ⟨x, Ŵ⟩ by |σ − 1|·|Ŵ| + δ
      double sigma = (a + b * kappa) * inv;
      double bound = Math.abs(sigma - 1) * Math.sqrt(ww) + Math.abs(b) * gram[4 * j + 3] * inv;
      if (!(ww > 0 && norm > 0 && bound <= approximationCap)) {
        exact[j] = true;
        exactCount++;
      } else {
        maxBound = Math.max(maxBound, bound);
      }
    }
    int[] rows = new int[exactCount];
    for (int j = 0, n = 0; j < classes; j++) {
      if (exact[j]) {
        rows[n++] = j;
      }
    }
    // float32 dot products of unit vectors differ from the exact value by at most about d·2^−24;
    // the approximate and the exact cosine each carry such an error
    double roundOff = 3.0 * dim * Math.ulp(1.0f) / 2 + 1e-6;
    scoring = new Scoring(exact, rows, maxBound + roundOff);
    return scoring;
  }

  private void invalidateScoring() {
    scoring = null;
  }

  /**
   * Exact cosines of pairs (unit embedding x[samples[k]], current row classes[k]) from the raw
   * values ⟨x, Ŵ_base⟩ that {@link #approximateCosines} gave them: cos = (a·raw + b·⟨x,
   * v_base⟩)/|W| with the row's transform (a, b) and |W| from its Gram numbers. Only pairs with b ≠
   * 0 need ⟨x, v_base⟩, one dot product per pair in the engine.
   */
  public float[] refineCosines(
      NDManager target, NDArray x, int[] samples, int[] classes, float[] raw) {
    float[] out = new float[samples.length];
    int[] moving = new int[samples.length];
    int m = 0;
    for (int k = 0; k < samples.length; k++) {
      int o = 4 * classes[k];
      double a = transform[o];
      double b = transform[o + 1];
      if (b == 0) {
        out[k] = (float) (a * raw[k] / Math.abs(a) / Math.sqrt(gram[o]));
      } else {
        moving[m++] = k;
      }
    }
    if (m == 0) {
      return out;
    }
    // ⟨x, v_base⟩ of the moving pairs in one engine call, in row-major order (class·B + sample)
    long b = x.getShape().get(0);
    long[] keys = new long[m];
    for (int i = 0; i < m; i++) {
      int k = moving[i];
      keys[i] = ((long) classes[k] * b + samples[k]) * m + i;
    }
    Arrays.sort(keys);
    long[] flat = new long[m];
    for (int i = 0; i < m; i++) {
      flat[i] = keys[i] / m;
    }
    float[] xv;
    try (NDManager tmp = target.newSubManager()) {
      xv =
          kernels
              .runTensor(tmp, "momentum_products", v, x, staging.indices(tmp, flat))
              .toFloatArray();
    }
    for (int i = 0; i < m; i++) {
      int k = moving[(int) (keys[i] % m)];
      int o = 4 * classes[k];
      double a = transform[o];
      double bk = transform[o + 1];
      out[k] = (float) ((a * raw[k] + bk * xv[i]) / currentNorm(classes[k]));
    }
    return out;
  }

  /**
   * Exact cosines of pairs (unit embedding x[samples[k]], current row classes[k]), from gathered
   * rows.
   */
  public float[] cosines(NDManager target, NDArray x, int[] samples, int[] classes) {
    float[] out = new float[samples.length];
    for (int from = 0; from < samples.length; from += CHUNK) {
      int to = Math.min(samples.length, from + CHUNK);
      try (NDManager tmp = target.newSubManager()) {
        NDArray rows =
            current(
                tmp,
                staging.indices(tmp, classes, from, to),
                Arrays.copyOfRange(classes, from, to),
                false);
        NDArray unit = rows.div(rows.norm(new int[] {1}, true).maximum(1e-12));
        NDArray xs = gatherRows(tmp, x, staging.indices(tmp, samples, from, to));
        System.arraycopy(unit.muli(xs).sum(new int[] {1}).toFloatArray(), 0, out, from, to - from);
      }
    }
    return out;
  }

  /**
   * Rows {@code idx} (int64) of {@code matrix} as a new array on {@code target}. Through
   * torch.embedding, which copies whole rows (index_select): faster than DJL's advanced indexing
   * ({@code get(NDIndex("{}", idx))}), which goes element by element (docs/benchmarks.md).
   */
  static NDArray gatherRows(NDManager target, NDArray matrix, NDArray idx) {
    NDArray out =
        ai.djl.pytorch.jni.JniUtils.embedding(
            (ai.djl.pytorch.engine.PtNDArray) idx, (ai.djl.pytorch.engine.PtNDArray) matrix, false);
    out.attach(target);
    return out;
  }

  /** Current W rows (r × d) as a new array on the given manager. */
  public NDArray currentRows(NDManager target, int[] rows) {
    return current(target, staging.indices(target, rows), rows, false);
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
    NDArray out = gatherRows(target, w, idx).mul(staging.floats(target, a, new Shape(a.length, 1)));
    if (anyB) {
      out =
          out.add(
              gatherRows(target, v, idx).mul(staging.floats(target, b, new Shape(b.length, 1))));
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
    NDArray baseW = gatherRows(target, w, idx);
    NDArray baseV = gatherRows(target, v, idx);
    NDArray[] coef = new NDArray[4];
    for (int k = 0; k < 4; k++) {
      coef[k] = staging.floats(target, c[k], new Shape(rows.length, 1));
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
      return current(tmp, staging.indices(tmp, rows), rows, momentum).toFloatArray();
    }
  }

  /**
   * Base rows (Ŵ_base, v_base) gathered once, so that a step's gradient ({@link #unitRows}) and its
   * update ({@link #step(List, List, double)}) read them from the table once. Valid until the next
   * step; close it (or let the update consume it).
   */
  public final class Gathered implements AutoCloseable {
    private final int[] rows;
    private final NDManager own;
    private final NDArray base;
    private final NDArray momentum;
    private final long atVersion;

    private Gathered(int[] rows) {
      this.rows = rows;
      this.own = manager.newSubManager();
      NDArray at = staging.indices(own, rows);
      this.base = gatherRows(own, w, at);
      this.momentum = gatherRows(own, v, at);
      this.atVersion = version;
    }

    public int[] rows() {
      return rows.clone();
    }

    /**
     * The current rows as unit vectors, (a·Ŵ_base + b·v_base)/|W| (rows × d), on the given manager.
     */
    public NDArray unitRows(NDManager target) {
      check();
      float[] alpha = new float[rows.length];
      float[] beta = new float[rows.length];
      boolean anyB = false;
      for (int r = 0; r < rows.length; r++) {
        int o = 4 * rows[r];
        double inv = 1 / currentNorm(rows[r]);
        alpha[r] = (float) (transform[o] * inv);
        beta[r] = (float) (transform[o + 1] * inv);
        anyB |= beta[r] != 0;
      }
      NDArray out = base.mul(staging.floats(target, alpha, new Shape(rows.length, 1)));
      out.attach(target);
      return anyB
          ? out.addi(momentum.mul(staging.floats(target, beta, new Shape(rows.length, 1))))
          : out;
    }

    /** Stored unit base rows Ŵ_base (rows × d); read only. */
    NDArray base() {
      check();
      return base;
    }

    /** Stored momentum rows v_base (rows × d); read only. */
    NDArray momentum() {
      check();
      return momentum;
    }

    /** The transform's (a, b) of each row: the current row is a·Ŵ_base + b·v_base. */
    double[][] mix() {
      check();
      double[][] ab = new double[2][rows.length];
      for (int r = 0; r < rows.length; r++) {
        ab[0][r] = transform[4 * rows[r]];
        ab[1][r] = transform[4 * rows[r] + 1];
      }
      return ab;
    }

    /** A gradient given as {@link Gradient}, as plain rows (rows × d). */
    NDArray materialise(NDManager target, Gradient g) {
      check();
      NDArray out = g.dense().duplicate();
      out.attach(target);
      int n = rows.length;
      return out.addi(base.mul(staging.floats(target, g.onBase(), new Shape(n, 1))))
          .addi(momentum.mul(staging.floats(target, g.onMomentum(), new Shape(n, 1))));
    }

    /** |W| of the current rows. */
    public double[] norms() {
      check();
      double[] n = new double[rows.length];
      for (int r = 0; r < rows.length; r++) {
        n[r] = currentNorm(rows[r]);
      }
      return n;
    }

    private void check() {
      if (atVersion != version) {
        throw new IllegalStateException("rows gathered before the table last changed");
      }
    }

    @Override
    public void close() {
      own.close();
    }
  }

  /**
   * The gradient of gathered rows in the form a head computes it cheaply: row r's gradient is
   * dense_r + onBase_r·Ŵ_base_r + onMomentum_r·v_base_r. The two mixing terms cost the update
   * nothing extra, since it mixes the same gathered rows anyway.
   */
  public record Gradient(NDArray dense, float[] onBase, float[] onMomentum) {}

  /**
   * Gathers base rows for a gradient and an update (pieces of a few thousand rows keep temporaries
   * small).
   */
  public Gathered gather(int[] rows) {
    return new Gathered(rows.clone());
  }

  /** |current W_j| from the Gram numbers of its base row and its transform. */
  private double currentNorm(int j) {
    int o = 4 * j;
    double a = transform[o];
    double b = transform[o + 1];
    return Math.sqrt(a * a * gram[o] + 2 * a * b * gram[o + 1] + b * b * gram[o + 2]);
  }

  /**
   * One optimizer step: rows with a gradient get the explicit SGD update from their current state;
   * every other row's transform advances by M_t; rows whose momentum has turned parallel to them
   * again are folded.
   *
   * @param rows rows with a gradient (distinct)
   * @param gradients their gradients, flattened rows.length × d
   */
  public void step(int[] rows, float[] gradients, double learningRate) {
    try (NDManager tmp = manager.newSubManager()) {
      step(rows, staging.floats(tmp, gradients, new Shape(rows.length, dim)), learningRate);
    }
  }

  /** {@link #step(int[], float[], double)} with the gradients (rows.length, d) on the engine. */
  public void step(int[] rows, NDArray gradients, double learningRate) {
    List<Gathered> pieces = new java.util.ArrayList<>();
    List<Gradient> grads = new java.util.ArrayList<>();
    try (NDManager tmp = manager.newSubManager()) {
      for (int from = 0; from < rows.length; from += CHUNK) {
        int to = Math.min(rows.length, from + CHUNK);
        pieces.add(gather(Arrays.copyOfRange(rows, from, to)));
        grads.add(
            new Gradient(
                gradients.get(tmp, new NDIndex(from + ":" + to)).duplicate(),
                new float[to - from],
                new float[to - from]));
      }
      step(pieces, grads, learningRate);
    }
  }

  /**
   * {@link #step(int[], float[], double)} for gathered rows, distinct across pieces, with their
   * gradients (one per piece). Consumes (closes) the pieces, and overwrites the gradients' dense
   * parts. With the transform (a, b; c, d) of a row, its current (W, v) = (aŴ + bv, cŴ + dv), so
   * SGD's v' = μv + λW + g and W' = W − ηv' are each one mix of the gathered rows and g's dense
   * part.
   */
  public void step(List<Gathered> pieces, List<Gradient> gradients, double learningRate) {
    long t0 = System.nanoTime();
    double mu = sgd.momentum();
    double wd = sgd.weightDecay();
    int total = 0;
    for (Gathered p : pieces) {
      total += p.rows.length;
    }
    int[] rows = new int[total];
    int offset = 0;
    for (int k = 0; k < pieces.size(); k++) {
      try (Gathered p = pieces.get(k);
          NDManager tmp = manager.newSubManager()) {
        p.check();
        int n = p.rows.length;
        Gradient g = gradients.get(k);
        float[][] e = new float[4][n];
        for (int r = 0; r < n; r++) {
          int o = 4 * p.rows[r];
          double e0 = mu * transform[o + 2] + wd * transform[o] + g.onBase()[r];
          double e1 = mu * transform[o + 3] + wd * transform[o + 1] + g.onMomentum()[r];
          e[0][r] = (float) e0;
          e[1][r] = (float) e1;
          e[2][r] = (float) (transform[o] - learningRate * e0);
          e[3][r] = (float) (transform[o + 1] - learningRate * e1);
        }
        float[] coef = new float[4 * n];
        for (int i = 0; i < 4; i++) {
          System.arraycopy(e[i], 0, coef, i * n, n);
        }
        // v' = e0·Ŵ + e1·v + g, W' = e2·Ŵ + e3·v − η·g, then written as in writeBase: one kernel
        // call
        stored(
            p.rows,
            kernels.runTensors(
                tmp,
                "step_rows",
                w,
                v,
                screenCopy != null ? screenCopy : w,
                screenCopy != null,
                staging.indices(tmp, p.rows),
                p.base,
                p.momentum,
                g.dense(),
                staging.floats(tmp, coef, new Shape(4, n, 1)),
                learningRate));
        System.arraycopy(p.rows, 0, rows, offset, n);
        offset += n;
      }
    }
    long t1 = System.nanoTime();
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
    version++;
    lastLearningRate = learningRate;
    int folded = fold(foldable());
    invalidateScoring();
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          String.format(
              java.util.Locale.ROOT,
              "table step: %.3f s (%d rows written in %.3f s, %d folded)",
              (System.nanoTime() - t0) / 1e9,
              rows.length,
              (t1 - t0) / 1e9,
              folded));
    }
  }

  /**
   * Rows that are, or are about to be, scored exactly and whose momentum has turned almost parallel
   * to them: folding them now brings their δ_j well under the cap for good. From the Gram numbers:
   * the current (W, v) = (aW + bv, cW + dv) of each base row, the part of the current v
   * perpendicular to the current W, and the largest |b| that momentum can build up, η·μ/(1 − μ).
   */
  private int[] foldable() {
    double mu = sgd.momentum();
    if (mu == 0) {
      return new int[0];
    }
    double bMax = 1.25 * lastLearningRate * mu / (1 - mu);
    int[] out = new int[16];
    int n = 0;
    for (int j = 0; j < classes; j++) {
      int o = 4 * j;
      double a = transform[o];
      double b = transform[o + 1];
      if (b == 0 || gram[o + 3] == 0) {
        continue;
      }
      double c = transform[o + 2];
      double d = transform[o + 3];
      double ww = gram[o];
      double wv = gram[o + 1];
      double vv = gram[o + 2];
      double nW2 = a * a * ww + 2 * a * b * wv + b * b * vv;
      double delta = Math.abs(b) * gram[o + 3] / Math.sqrt(nW2);
      if (delta <= 0.5 * approximationCap) {
        continue;
      }
      double nV2 = c * c * ww + 2 * c * d * wv + d * d * vv;
      double dot = a * c * ww + (a * d + b * c) * wv + b * d * vv;
      // the Gram numbers are float32 sums: keep a margin of 1e-6·|v|² against cancellation
      double perp2 = Math.max(0, nV2 - dot * dot / nW2) + 1e-6 * nV2;
      if (bMax * Math.sqrt(perp2 / nW2) <= 0.25 * approximationCap) {
        if (n == out.length) {
          out = Arrays.copyOf(out, 2 * n);
        }
        out[n++] = j;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** Base ← current for the given rows; they restart from the identity transform. */
  private int fold(int[] rows) {
    for (int from = 0; from < rows.length; from += CHUNK) {
      int[] part = Arrays.copyOfRange(rows, from, Math.min(rows.length, from + CHUNK));
      try (NDManager tmp = manager.newSubManager()) {
        NDArray idx = staging.indices(tmp, part);
        NDArray[] cur = currentBoth(tmp, idx, part);
        writeBase(tmp, idx, part, cur[0], cur[1]);
      }
    }
    resetTransform(rows);
    return rows.length;
  }

  /** Stores W = n·Ŵ as the unit row Ŵ (the scale n goes into the transform) and v as it is. */
  private void writeBase(NDManager tmp, NDArray idx, int[] rows, NDArray newW, NDArray newV) {
    stored(
        rows,
        kernels.runTensors(
            tmp,
            "write_base",
            w,
            v,
            screenCopy != null ? screenCopy : w,
            screenCopy != null,
            idx,
            newW,
            newV));
  }

  /**
   * Bookkeeping of rows just written by a kernel that returned (|W| before normalising, then the
   * Gram numbers |Ŵ|², ⟨Ŵ, v⟩, |v|², then the bfloat16 rounding errors of Ŵ if screened).
   */
  private void stored(int[] rows, NDArray[] out) {
    float[] n = out[0].toFloatArray();
    for (int r = 0; r < rows.length; r++) {
      baseScale[rows[r]] = n[r];
    }
    setGram(rows, 0, out[1].toFloatArray(), out[2].toFloatArray(), out[3].toFloatArray());
    if (screenCopy != null) {
      float[] e = out[4].toFloatArray();
      for (int r = 0; r < rows.length; r++) {
        roundingError[rows[r]] = e[r];
      }
      largestRoundingError = Double.NaN;
    }
  }

  /**
   * Gram numbers of base rows (rows[from..]) from |Ŵ|², ⟨Ŵ, v⟩, |v|² summed in float32 (the kernel
   * {@code gram}, for writes and loads alike, so that a reloaded table computes exactly what the
   * running one did), with |v⊥|² = |v|² − ⟨Ŵ, v⟩²/|Ŵ|² rounded up by the float32 error bound of
   * those sums, 4·d·2^−24·|v|², so that δ_j stays an upper bound.
   */
  private void setGram(int[] rows, int from, float[] ww, float[] wv, float[] vv) {
    double slack = 4.0 * dim * Math.ulp(1.0f) / 2;
    for (int r = 0; r < ww.length; r++) {
      int o = 4 * (rows == null ? from + r : rows[r]);
      gram[o] = ww[r];
      gram[o + 1] = wv[r];
      gram[o + 2] = vv[r];
      double parallel = ww[r] > 0 ? (double) wv[r] * wv[r] / ww[r] : 0;
      gram[o + 3] = Math.sqrt(Math.max(0, vv[r] - parallel) + slack * vv[r]);
    }
  }

  /** Recomputes the Gram numbers of every base row, block by block. */
  private void refreshGram() {
    for (int start = 0; start < classes; start += blockRows) {
      int end = Math.min(classes, start + blockRows);
      try (NDManager tmp = manager.newSubManager()) {
        NDIndex range = new NDIndex(start + ":" + end);
        NDArray[] g = kernels.runTensors(tmp, "gram", w.get(tmp, range), v.get(tmp, range));
        setGram(null, start, g[0].toFloatArray(), g[1].toFloatArray(), g[2].toFloatArray());
      }
    }
  }

  /** Transforms of freshly written rows: (W, v) = (n·Ŵ, v) with n their stored scale. */
  private void resetTransform(int[] rows) {
    for (int j : rows) {
      int o = 4 * j;
      transform[o] = baseScale[j];
      transform[o + 1] = 0;
      transform[o + 2] = 0;
      transform[o + 3] = 1;
    }
  }

  /**
   * Makes every stored base row a unit row, moving its norm into the transform (A ← A·diag(n, 1)).
   * Rows already of unit norm are left as they are, so that a checkpoint reloads bit for bit.
   */
  private void normaliseBase() {
    for (int start = 0; start < classes; start += blockRows) {
      int end = Math.min(classes, start + blockRows);
      try (NDManager tmp = manager.newSubManager()) {
        float[] n = w.get(tmp, new NDIndex(start + ":" + end)).norm(new int[] {1}).toFloatArray();
        int[] off =
            java.util.stream.IntStream.range(0, n.length)
                .filter(r -> Math.abs(n[r] - 1f) > 1e-5f)
                .toArray();
        if (off.length == 0) {
          continue;
        }
        int first = start;
        int[] rows = Arrays.stream(off).map(r -> first + r).toArray();
        NDIndex at = new NDIndex("{}", staging.indices(tmp, rows));
        NDArray picked = w.get(tmp, at);
        w.set(at, picked.div(picked.norm(new int[] {1}, true).maximum(Float.MIN_NORMAL)));
        for (int j : rows) {
          int o = 4 * j;
          transform[o] *= n[j - start];
          transform[o + 2] *= n[j - start];
          baseScale[j] = n[j - start];
        }
      }
    }
  }

  /**
   * Sets rows to new values with zero momentum (A3M's prototype re-initialisation); they restart
   * from the identity transform.
   *
   * @param values flattened rows.length × d
   */
  public void resetRows(int[] rows, float[] values) {
    if (rows.length == 0) {
      return;
    }
    try (NDManager tmp = manager.newSubManager()) {
      writeBase(
          tmp,
          staging.indices(tmp, rows),
          rows,
          staging.floats(tmp, values, new Shape(rows.length, dim)),
          tmp.zeros(new Shape(rows.length, dim), DataType.FLOAT32));
    }
    resetTransform(rows);
    version++;
    invalidateScoring();
  }

  SgdSettings sgd() {
    return sgd;
  }

  double approximationCap() {
    return approximationCap;
  }

  /**
   * Writes the table to a directory, atomically file by file: {@code prototypes.npy} and {@code
   * momentum.npy} (C × d float32, the base rows, written block by block so that any C fits), {@code
   * transform.npy} (C × 4 float64) and {@code state.json} (step and last learning rate). {@link
   * #load} restores it exactly.
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    writeMatrix(dir.resolve("prototypes.npy"), w);
    writeMatrix(dir.resolve("momentum.npy"), v);
    Npy.writeFloat64(dir.resolve("transform.npy"), transform, classes, 4);
    var state = new java.util.LinkedHashMap<String, Object>();
    state.put("step", step);
    state.put("classes", classes);
    state.put("dim", dim);
    state.put("last_learning_rate", lastLearningRate);
    AtomicFiles.writeString(dir.resolve("state.json"), Json.pretty(state));
  }

  /** Restores a table written by {@link #save}. */
  public static LazyPrototypeTable load(NDManager parent, Path dir, SgdSettings sgd, int blockRows)
      throws IOException {
    return load(parent, dir, sgd, blockRows, DEFAULT_APPROXIMATION_CAP);
  }

  static LazyPrototypeTable load(
      NDManager parent, Path dir, SgdSettings sgd, int blockRows, double cap) throws IOException {
    return load(parent, dir, sgd, blockRows, cap, ScreeningPrecision.auto());
  }

  /**
   * Restores a table written by {@link #save}, screened in the given precision (not part of the
   * saved state).
   */
  static LazyPrototypeTable load(
      NDManager parent,
      Path dir,
      SgdSettings sgd,
      int blockRows,
      double cap,
      ScreeningPrecision precision)
      throws IOException {
    Npy.Header h = Npy.readHeader(dir.resolve("prototypes.npy"));
    if (h.shape().length != 2 || h.dtype() != Npy.DType.FLOAT32) {
      throw new UserInputException(h.file() + ": expected a float32 (C, d) matrix");
    }
    LazyPrototypeTable t;
    try (NDManager tmp = parent.newSubManager()) {
      t =
          new LazyPrototypeTable(
              parent,
              tmp.zeros(new Shape(h.shape()[0], h.shape()[1]), DataType.FLOAT32),
              sgd,
              blockRows,
              cap,
              precision);
    }
    readMatrix(h, t.w, t.manager, blockRows);
    readMatrix(Npy.readHeader(dir.resolve("momentum.npy")), t.v, t.manager, blockRows);
    double[] tr = Npy.read(dir.resolve("transform.npy")).requireRank(2, "transform").toDoubles();
    if (tr.length != t.transform.length) {
      throw new UserInputException(dir + ": transform.npy does not match prototypes.npy");
    }
    System.arraycopy(tr, 0, t.transform, 0, tr.length);
    var state = Json.mapper().readTree(dir.resolve("state.json").toFile());
    t.step = state.get("step").asLong();
    t.lastLearningRate = state.path("last_learning_rate").asDouble(0);
    t.normaliseBase();
    t.refreshGram();
    t.rebuildScreenCopy();
    return t;
  }

  private void writeMatrix(Path file, NDArray m) throws IOException {
    Npy.write(
        file,
        Npy.DType.FLOAT32,
        new long[] {classes, dim},
        out -> {
          byte[] buf = null;
          for (int start = 0; start < classes; start += blockRows) {
            int end = Math.min(classes, start + blockRows);
            try (NDManager tmp = manager.newSubManager()) {
              java.nio.ByteBuffer b =
                  m.get(tmp, new NDIndex(start + ":" + end))
                      .toByteBuffer()
                      .order(ByteOrder.LITTLE_ENDIAN);
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
    if (rows != target.getShape().get(0)
        || cols != target.getShape().get(1)
        || h.dtype() != Npy.DType.FLOAT32) {
      throw new UserInputException(
          h.file()
              + ": shape "
              + Npy.shapeString(h.shape())
              + " does not match "
              + target.getShape());
    }
    for (long start = 0; start < rows; start += blockRows) {
      long end = Math.min(rows, start + blockRows);
      java.nio.ByteBuffer data =
          Npy.readData(h, start * cols * 4, Math.toIntExact((end - start) * cols * 4));
      try (NDManager tmp = manager.newSubManager()) {
        target.set(
            new NDIndex(start + ":" + end),
            tmp.create(data.asFloatBuffer(), new Shape(end - start, cols)));
      }
    }
  }

  @Override
  public void close() {
    if (screenCopy != null) {
      screenCopy.close();
      screenCopy = null;
    }
    kernels.close();
    manager.close();
  }
}
