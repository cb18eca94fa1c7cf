package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.qmargin.UserInputException;
import io.qmargin.engine.Scalars;
import io.qmargin.loss.LossOutput;
import io.qmargin.loss.VerificationLoss;
import io.qmargin.operator.ThresholdBound;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exact classification head for the sparse alpha losses (α &gt; 1) that never holds the B × C
 * logits (docs/method.md section 6).
 *
 * <ol>
 *   <li>Stream over blocks of prototypes: a screening product per block ({@link
 *       LazyPrototypeTable.Screening}, in bfloat16 or float32, see {@link ScreeningPrecision})
 *       gives each sample the classes whose approximate cosine (off by at most ε) exceeds its
 *       current threshold t_i lowered by ε, with that cosine; the block is then discarded.
 *   <li>The threshold comes from a lower bound of τ ({@link ThresholdBound}): τ computed on any
 *       subset of the classes, with logits lowered by ε, is at most the full τ, so every class with
 *       θ_j ≤ bound − 1/(α − 1) is outside the support. Each block's candidates raise the bound, so
 *       later blocks keep only a few hundred classes per sample: no sort, no top-K over blocks.
 *   <li>The candidates' cosines are recomputed exactly from their current rows, and τ, p, the loss
 *       and ∂L/∂cos are computed on them, the target, and a <em>sentinel</em> column holding t_i,
 *       the largest cosine any dropped class can have.
 *   <li>Certificate: p = 0 at the sentinel means every dropped class lies outside the support, so
 *       τ, p, the loss and the gradient are those of the full computation. Otherwise the sample is
 *       redone with its threshold lowered by a growing step, counted in {@link
 *       HeadStep#candidateGrowths()}: nothing is approximated silently.
 *   <li>The gradient p − e_y touches only the support and the target: only those prototype rows get
 *       a gradient, and {@link LazyPrototypeTable} updates only them, exactly as dense SGD would.
 * </ol>
 *
 * The number of candidates per sample (the K of docs/method.md section 6) is thus chosen per sample
 * by a proof rather than fixed in advance, and needs no redo in normal operation.
 */
public final class SparseAlphaHead implements TrainableHead {
  /** Timings of the phases of a step at debug level (logger io.qmargin.head.SparseAlphaHead). */
  private static final Logger LOG = LoggerFactory.getLogger(SparseAlphaHead.class);

  private VerificationLoss loss;
  private LazyPrototypeTable table;

  /** Rows per piece of the gradient: keeps temporaries small enough for the allocator to reuse. */
  private static final int ROW_CHUNK = 8192;

  /** Classes per sample of the first block that bound τ before it is screened. */
  private static final int PILOT_CLASSES = 32;

  private int[] pendingRows = new int[0];
  private final List<LazyPrototypeTable.Gradient> pendingGradient =
      new ArrayList<>(); // pieces of rows
  private final List<LazyPrototypeTable.Gathered> pendingGathered =
      new ArrayList<>(); // their base rows
  private double boundOverstatement;
  private final StagingBuffer staging = new StagingBuffer();
  private int[] columnOf = new int[0]; // per class: its gradient row in this step, else −1 (reused)

  /** The (sample, class) pairs of a step with a non-zero ∂L/∂cos: ∂L/∂cos / B and the cosine. */
  private static final class GradientPairs {
    int size;
    int[] sample = new int[1024];
    int[] cls = new int[1024];
    float[] grad = new float[1024];
    float[] cos = new float[1024];

    void add(int r, int c, float g, float cosine) {
      if (size == sample.length) {
        sample = Arrays.copyOf(sample, 2 * size);
        cls = Arrays.copyOf(cls, 2 * size);
        grad = Arrays.copyOf(grad, 2 * size);
        cos = Arrays.copyOf(cos, 2 * size);
      }
      sample[size] = r;
      cls[size] = c;
      grad[size] = g;
      cos[size++] = cosine;
    }
  }

  public SparseAlphaHead(VerificationLoss loss, LazyPrototypeTable table) {
    if (!loss.isSparse()) {
      throw new UserInputException(
          "the sparse head needs an alpha > 1 loss (qmargin, entmax, sparsemax, a3m), got "
              + loss.spec()
              + "; use the dense or partial_fc head");
    }
    this.loss = loss;
    this.table = table;
  }

  @Override
  public int classes() {
    return table.classes();
  }

  @Override
  public int dim() {
    return table.dim();
  }

  public LazyPrototypeTable table() {
    return table;
  }

  /**
   * For tests of the certificate: every lower bound of τ is raised by this many logits, so that it
   * is no longer a bound, classes of the support get dropped and the redo path has to repair it.
   */
  void overstateBounds(double logits) {
    this.boundOverstatement = logits;
  }

  @Override
  public HeadStep forward(NDArray embeddings, NDArray labels) {
    long tStart = System.nanoTime();
    NDManager m = embeddings.getManager();
    int b = Math.toIntExact(embeddings.getShape().get(0));
    long[] y = labels.toType(DataType.INT64, false).toLongArray();
    int[] targets = Arrays.stream(y).mapToInt(Math::toIntExact).toArray();
    NDArray xn = MarginHead.unitRows(embeddings);
    NDArray xd = xn.stopGradient();
    int[] all = range(b);
    float[] targetCos = table.cosines(m, xd, all, targets);

    long growths = 0;
    double lossSum = 0;
    double supportSum = 0;
    int targetOut = 0;
    GradientPairs pairs = new GradientPairs();
    int[] pending = all;
    double[] lowered = null; // thresholds of the samples being redone
    double redoStep = 1 / ((loss.alpha() - 1) * loss.scale()); // one support gap, in cosine units
    for (int attempt = 0; pending.length > 0; attempt++) {
      long t0 = System.nanoTime();
      Selection sel = select(m, xd, pending, y, targetCos, lowered);
      long t1 = System.nanoTime();
      int n = pending.length;
      int width = sel.lists().largest() + 2; // candidates, padding, sentinel, target
      float[] cos = new float[n * width];
      long[] cls = new long[n * width];
      float[] exact = exactCosines(m, xd, sel);
      int offset = 0;
      for (int r = 0; r < n; r++) {
        int size = sel.lists().size(r);
        int[] c = sel.lists().classes(r);
        for (int t = 0; t < size; t++) {
          cls[r * width + t] = c[t];
          cos[r * width + t] = exact[offset + t];
        }
        offset += size;
        Arrays.fill(cos, r * width + size, r * width + width - 1, (float) sel.sentinel()[r]);
        Arrays.fill(cls, r * width + size, r * width + width - 1, -1);
        cls[r * width + width - 1] = y[pending[r]];
        cos[r * width + width - 1] = targetCos[pending[r]];
      }
      List<Integer> redo = new ArrayList<>();
      try (NDManager scope = m.newSubManager()) {
        NDArray cosArray = staging.floats(scope, cos, new Shape(n, width));
        try (LossOutput out =
            loss.evaluate(cosArray, scope.full(new Shape(n), width - 1, DataType.INT64))) {
          float[] p = out.posterior().toType(DataType.FLOAT32, false).toFloatArray();
          float[] g = out.gradCos().toType(DataType.FLOAT32, false).toFloatArray();
          float[] l = out.loss().toType(DataType.FLOAT32, false).toFloatArray();
          long[] support = out.support().toLongArray();
          for (int r = 0; r < n; r++) {
            if (p[r * width + width - 2] != 0f) {
              redo.add(r);
              continue;
            }
            lossSum += l[r];
            supportSum += support[r];
            targetOut += p[r * width + width - 1] == 0f ? 1 : 0;
            for (int j = 0; j < width; j++) {
              float gij = g[r * width + j];
              if (gij != 0f && cls[r * width + j] >= 0) {
                pairs.add(pending[r], (int) cls[r * width + j], gij / b, cos[r * width + j]);
              }
            }
          }
        }
      }
      if (LOG.isDebugEnabled()) {
        LOG.debug(
            String.format(
                java.util.Locale.ROOT,
                "attempt %d: %d samples, %d candidates (largest %d), %d rows scored exactly: select %.3f s, loss %.3f s",
                attempt,
                n,
                sel.lists().total(),
                sel.lists().largest(),
                table.exactRows().length,
                (t1 - t0) / 1e9,
                (System.nanoTime() - t1) / 1e9));
      }
      // redo: lower the failed samples' thresholds by a step that doubles with every attempt
      double[] next = new double[redo.size()];
      int[] nextPending = new int[redo.size()];
      for (int i = 0; i < redo.size(); i++) {
        int r = redo.get(i);
        nextPending[i] = pending[r];
        next[i] = sel.sentinel()[r] - redoStep * Math.pow(2, attempt);
      }
      growths += redo.size();
      pending = nextPending;
      lowered = next;
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          String.format(
              java.util.Locale.ROOT,
              "candidates + loss: %.3f s",
              (System.nanoTime() - tStart) / 1e9));
    }

    long tGrad = System.nanoTime();
    NDArray total = prepareGradients(m, xn, xd, b, pairs, lossSum);
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          String.format(
              java.util.Locale.ROOT,
              "gradient part: %.3f s; forward total: %.3f s (%d gradient rows)",
              (System.nanoTime() - tGrad) / 1e9,
              (System.nanoTime() - tStart) / 1e9,
              pendingRows.length));
    }
    return new HeadStep(total, supportSum / b, (double) targetOut / b, growths);
  }

  /**
   * Gradients of the certified samples: the loss with ∂L/∂x carried by a surrogate, and, kept for
   * {@link #update}, the gradient of every row with a non-zero ∂L/∂cos (support and targets), in
   * pieces of gathered rows.
   *
   * @param pairs the (sample, class) pairs with a non-zero ∂L/∂cos
   */
  private NDArray prepareGradients(
      NDManager m, NDArray xn, NDArray xd, int b, GradientPairs pairs, double lossSum) {
    // gradients: only the rows with a non-zero ∂L/∂cos (support and targets), piece by piece; rows
    // numbered in order of first appearance, pairs sorted by row (counting sort), so that each
    // piece
    // of rows owns a contiguous run of them
    int count = pairs.size;
    if (columnOf.length != table.classes()) {
      columnOf = new int[table.classes()];
      Arrays.fill(columnOf, -1);
    }
    int[] rowsInOrder = new int[count];
    int[] col = new int[count];
    int u = 0;
    for (int k = 0; k < count; k++) {
      int c = pairs.cls[k];
      if (columnOf[c] < 0) {
        columnOf[c] = u;
        rowsInOrder[u++] = c;
      }
      col[k] = columnOf[c];
    }
    pendingRows = Arrays.copyOf(rowsInOrder, u);
    for (int c : pendingRows) {
      columnOf[c] = -1;
    }
    closePendingGradient();
    if (u == 0) {
      return xn.sum().mul(Scalars.of(xn, 0)).add((float) (lossSum / b));
    }
    int[] firstOf = new int[u + 1];
    for (int k = 0; k < count; k++) {
      firstOf[col[k] + 1]++;
    }
    for (int c = 0; c < u; c++) {
      firstOf[c + 1] += firstOf[c];
    }
    int[] order = new int[count];
    int[] next = Arrays.copyOf(firstOf, u);
    for (int k = 0; k < count; k++) {
      order[next[col[k]]++] = k;
    }
    NDArray h = null;
    int k = 0;
    for (int from = 0; from < u; from += ROW_CHUNK) {
      int to = Math.min(u, from + ROW_CHUNK);
      int width = to - from;
      float[] gCos = new float[width];
      int first = k;
      for (; k < count && col[order[k]] < to; k++) {
        int pair = order[k];
        gCos[col[pair] - from] += pairs.grad[pair] * pairs.cos[pair];
      }
      int nnz = k - first;
      LazyPrototypeTable.Gathered rows = table.gather(Arrays.copyOfRange(pendingRows, from, to));
      pendingGathered.add(rows);
      // ŵ_j = α_j·Ŵ_base + β_j·v_base with (α, β) = (a, b)/|W_j|: every product below is taken
      // with the gathered base rows, so ŵ itself is never formed
      double[] norms = rows.norms();
      double[][] mix = rows.mix();
      boolean moving = false;
      float[] onBase = new float[width];
      float[] onMomentum = new float[width];
      double[] alpha = new double[width];
      double[] beta = new double[width];
      double[] inv = new double[width];
      for (int c = 0; c < width; c++) {
        inv[c] = 1 / Math.max(norms[c], 1e-12);
        alpha[c] = mix[0][c] * inv[c];
        beta[c] = mix[1][c] * inv[c];
        moving |= beta[c] != 0;
        // ∂L/∂W_j = (Σ_i g_ij x̂_i − (Σ_i g_ij cos_ij) ŵ_j) / |W_j|
        onBase[c] = (float) (-gCos[c] * inv[c] * alpha[c]);
        onMomentum[c] = (float) (-gCos[c] * inv[c] * beta[c]);
      }
      // G (B × width) has one entry per pair: as a sparse matrix for the product with the rows
      long[][] at = new long[2][nnz];
      float[] gAlpha = new float[nnz];
      float[] gBeta = new float[nnz];
      float[] gScaledPairs = new float[nnz];
      for (int e = 0; e < nnz; e++) {
        int pair = order[first + e];
        int c = col[pair] - from;
        float g = pairs.grad[pair];
        at[0][e] = pairs.sample[pair];
        at[1][e] = c;
        gAlpha[e] = (float) (g * alpha[c]);
        gBeta[e] = (float) (g * beta[c]);
        gScaledPairs[e] = (float) (g * inv[c]);
      }

      try (NDManager scope = m.newSubManager()) {
        // ∂L/∂x̂_i = Σ_j g_ij ŵ_j
        NDArray part = sparse(scope, at[0], at[1], gAlpha, new Shape(b, width)).matMul(rows.base());
        if (moving) {
          part.addi(
              sparse(scope, at[0], at[1], gBeta, new Shape(b, width)).matMul(rows.momentum()));
        }
        h = h == null ? part : h.addi(part);
        h.attach(m);
        NDArray dense = sparse(scope, at[1], at[0], gScaledPairs, new Shape(width, b)).matMul(xd);
        dense.attach(table.manager());
        pendingGradient.add(new LazyPrototypeTable.Gradient(dense, onBase, onMomentum));
      }
    }
    // the surrogate ⟨x̂, h⟩ carries ∂L/∂x̂ through the normalisation of x
    NDArray surrogate = xn.mul(h).sum();
    return surrogate.sub(surrogate.stopGradient()).add((float) (lossSum / b));
  }

  /**
   * The candidates of the given samples and their sentinels (the largest cosine a dropped class can
   * have; a very low value where nothing was dropped).
   */
  private record Selection(int[] samples, CandidateLists lists, double[] sentinel) {}

  /**
   * One streaming pass over the prototypes for the given samples. With {@code fixed == null} each
   * sample's threshold starts from its target and a pilot, its best classes in the first block
   * ({@link LazyPrototypeTable.Screening#top}), and rises with every block; otherwise the given
   * thresholds are used as they are (a redo).
   */
  private Selection select(
      NDManager m, NDArray xd, int[] samples, long[] y, float[] targetCos, double[] fixed) {
    int n = samples.length;
    int classes = table.classes();
    double s = loss.scale();
    ThresholdBound bound = new ThresholdBound(loss.alpha());
    double gap = bound.supportGap();
    double eps = table.approximationBound();
    double logQy = -s * loss.priorMargin();
    CandidateLists lists = new CandidateLists(n);
    double[] tau = new double[n];
    double[] threshold = new double[n];
    double[] thetaY = targetLogits(m, samples, targetCos);
    for (int r = 0; r < n; r++) {
      tau[r] = bound.single(thetaY[r], logQy) + boundOverstatement;
      threshold[r] = fixed != null ? fixed[r] : (tau[r] - gap) / s;
    }
    boolean[] exactRow = table.exactMask();
    long engineNanos = 0;
    long javaNanos = 0;
    try (NDManager scope = m.newSubManager()) {
      // contiguous (d × n): the block products run about a quarter faster than on a transposed view
      NDArray xs = xd.get(staging.indices(scope, samples));
      NDArray xT = xs.transpose().duplicate();
      int blockRows = table.blockRows();
      try (LazyPrototypeTable.Screening screening = table.screening(xs)) {
        for (int start = 0; start < classes; start += blockRows) {
          int end = Math.min(classes, start + blockRows);
          long tBlock = System.nanoTime();
          if (fixed == null && start == 0) {
            // a pilot: the first block's best few classes of each sample already bound τ well above
            // the target's bound, so that the first block passes far fewer pairs
            LazyPrototypeTable.Screened top = screening.top(start, end, PILOT_CLASSES);
            float[][] pilot = new float[n][PILOT_CLASSES];
            int[] size = new int[n];
            for (int e = 0; e < top.values().length; e++) {
              int cls = (int) (start + top.flat()[e] / n);
              int r = (int) (top.flat()[e] % n);
              if (cls != y[samples[r]] && !exactRow[cls] && size[r] < PILOT_CLASSES) {
                pilot[r][size[r]++] = top.values()[e];
              }
            }
            for (int r = 0; r < n; r++) {
              tau[r] =
                  Math.max(
                      tau[r],
                      bound.refine(
                              tau[r] - boundOverstatement,
                              thetaY[r],
                              logQy,
                              pilot[r],
                              size[r],
                              s,
                              eps)
                          + boundOverstatement);
              threshold[r] = (tau[r] - gap) / s;
            }
          }
          float[] limit = new float[n];
          for (int r = 0; r < n; r++) {
            limit[r] = (float) (threshold[r] - eps);
          }
          LazyPrototypeTable.Screened got = screening.select(start, end, limit);
          long tJava = System.nanoTime();
          engineNanos += tJava - tBlock;
          int[] added = new int[n];
          long[] flat = got.flat();
          float[] values = got.values();
          for (int e = 0; e < values.length; e++) {
            int cls = (int) (start + flat[e] / n);
            int r = (int) (flat[e] % n);
            if (cls != y[samples[r]] && !exactRow[cls]) {
              lists.add(r, cls, values[e]);
              added[r]++;
            }
          }
          if (fixed == null) {
            for (int r = 0; r < n; r++) {
              // raising the bound pays when the list grew by a few percent; any bound is valid
              if (added[r] > 0 && (start == 0 || 32 * added[r] >= lists.size(r))) {
                tau[r] =
                    Math.max(
                        tau[r],
                        bound.refine(
                                tau[r] - boundOverstatement,
                                thetaY[r],
                                logQy,
                                lists.cosines(r),
                                lists.size(r),
                                s,
                                eps)
                            + boundOverstatement);
                threshold[r] = (tau[r] - gap) / s;
                lists.removeAtMost(r, threshold[r] - eps);
              }
            }
          }
          javaNanos += System.nanoTime() - tJava;
        }
      }
      if (fixed == null) {
        // the last blocks may have added a little each: one final rise of every bound, and pruning
        for (int r = 0; r < n; r++) {
          tau[r] =
              Math.max(
                  tau[r],
                  bound.refine(
                          tau[r] - boundOverstatement,
                          thetaY[r],
                          logQy,
                          lists.cosines(r),
                          lists.size(r),
                          s,
                          eps)
                      + boundOverstatement);
          threshold[r] = (tau[r] - gap) / s;
          lists.removeAtMost(r, threshold[r] - eps);
        }
      }
      if (LOG.isDebugEnabled()) {
        LOG.debug(
            String.format(
                java.util.Locale.ROOT,
                "streaming: engine %.3f s, candidates and bounds %.3f s",
                engineNanos / 1e9,
                javaNanos / 1e9));
      }
      // rows whose approximate cosines are not good enough: exact cosines, final thresholds
      int[] exactRows = table.exactRows();
      if (exactRows.length > 0) {
        for (int from = 0; from < exactRows.length; from += ROW_CHUNK) {
          int[] part =
              Arrays.copyOfRange(exactRows, from, Math.min(exactRows.length, from + ROW_CHUNK));
          try (NDManager block = scope.newSubManager()) {
            NDArray rows = table.currentRows(block, part);
            NDArray cos = rows.div(rows.norm(new int[] {1}, true).maximum(1e-12)).matMul(xT);
            float[] values = cos.toFloatArray();
            for (int t = 0; t < part.length; t++) {
              for (int r = 0; r < n; r++) {
                float c = values[t * n + r];
                if (c > threshold[r] - eps && part[t] != y[samples[r]]) {
                  lists.add(r, part[t], c);
                }
              }
            }
          }
        }
      }
    }
    double[] sentinel = new double[n];
    for (int r = 0; r < n; r++) {
      // below −1 − 2ε every class is kept: nothing was dropped, and the sentinel must stay out of
      // the
      // support whatever τ is
      sentinel[r] =
          threshold[r] < -1 - 2 * eps - 1e-3 || lists.size(r) + 1 >= classes
              ? -1e6 / s
              : threshold[r];
    }
    return new Selection(samples, lists, sentinel);
  }

  /**
   * A sparse COO matrix built from index and value arrays that belong to the given scope, so they
   * outlive the products with it (package-private for a test). Built with DJL's {@code
   * NDManager.createCoo} instead, the product at a million classes failed with "addmm: index out of
   * row bound" (an index like a pointer), and in another run gave ∂L/∂x off by 1.6e-2: its indices
   * had been overwritten.
   */
  NDArray sparse(NDManager scope, long[] rows, long[] cols, float[] values, Shape shape) {
    // entries in row-major order, as in a coalesced tensor: left in the head's order (by column),
    // the product came out wrong for some samples at 100,000 and 1,000,000 classes, in every run
    // (bench head's comparison with the dense head), for a reason not found
    int n = rows.length;
    long width = shape.get(1);
    long[] keys = new long[n];
    for (int e = 0; e < n; e++) {
      keys[e] = (rows[e] * width + cols[e]) * n + e;
    }
    Arrays.sort(keys);
    long[] both = new long[2 * n];
    float[] sorted = new float[n];
    for (int k = 0; k < n; k++) {
      int e = (int) (keys[k] % n);
      both[k] = rows[e];
      both[n + k] = cols[e];
      sorted[k] = values[e];
    }
    NDArray indices = staging.indices(scope, both).reshape(2, n);
    NDArray vals = staging.floats(scope, sorted, new Shape(n));
    NDArray coo =
        ai.djl.pytorch.jni.JniUtils.createSparseCoo(
            (ai.djl.pytorch.engine.PtNDArray) indices,
            (ai.djl.pytorch.engine.PtNDArray) vals,
            shape);
    coo.attach(scope);
    return coo;
  }

  /** θ_y = s·ψ(cos_y) of the given samples, ψ the loss's target margin. */
  private double[] targetLogits(NDManager m, int[] samples, float[] targetCos) {
    float[] c = new float[samples.length];
    for (int r = 0; r < samples.length; r++) {
      c[r] = targetCos[samples[r]];
    }
    try (NDManager scope = m.newSubManager()) {
      float[] psi =
          loss.margin().apply(scope.create(c, new Shape(c.length, 1))).psi().toFloatArray();
      double[] theta = new double[psi.length];
      for (int r = 0; r < psi.length; r++) {
        theta[r] = loss.scale() * psi[r];
      }
      return theta;
    }
  }

  /**
   * Exact cosines of the candidates of a selection, in the order of its lists: rows scored exactly
   * already have them, the others are refined from their raw values.
   */
  private float[] exactCosines(NDManager m, NDArray xd, Selection sel) {
    boolean[] exactRow = table.exactMask();
    int total = sel.lists().total();
    float[] out = new float[total];
    int[] at = new int[total];
    int[] samples = new int[total];
    int[] classes = new int[total];
    float[] raw = new float[total];
    int k = 0;
    int n = 0;
    for (int r = 0; r < sel.lists().samples(); r++) {
      int[] c = sel.lists().classes(r);
      float[] v = sel.lists().cosines(r);
      for (int t = 0; t < sel.lists().size(r); t++, k++) {
        if (exactRow[c[t]]) {
          out[k] = v[t];
        } else {
          at[n] = k;
          samples[n] = sel.samples()[r];
          classes[n] = c[t];
          raw[n++] = v[t];
        }
      }
    }
    float[] refined =
        table.refineCosines(m, xd, Arrays.copyOf(samples, n), Arrays.copyOf(classes, n), raw);
    for (int i = 0; i < n; i++) {
      out[at[i]] = refined[i];
    }
    return out;
  }

  /** Rows with a gradient in the last forward pass. */
  public int[] lastGradientRows() {
    return pendingRows.clone();
  }

  /** Their gradients, flattened rows × d. */
  public float[] lastGradients() {
    float[] out = new float[pendingRows.length * table.dim()];
    int at = 0;
    for (int k = 0; k < pendingGradient.size(); k++) {
      try (NDManager scope = table.manager().newSubManager()) {
        float[] values =
            pendingGathered.get(k).materialise(scope, pendingGradient.get(k)).toFloatArray();
        System.arraycopy(values, 0, out, at, values.length);
        at += values.length;
      }
    }
    return out;
  }

  @Override
  public void update(double learningRate) {
    table.step(new ArrayList<>(pendingGathered), pendingGradient, learningRate);
    pendingGathered.clear();
    closePendingGradient();
    pendingRows = new int[0];
  }

  private void closePendingGradient() {
    pendingGradient.forEach(g -> g.dense().close());
    pendingGradient.clear();
    pendingGathered.forEach(LazyPrototypeTable.Gathered::close);
    pendingGathered.clear();
  }

  @Override
  public float[] prototypeRows(int[] rows) {
    return table.currentRowValues(rows, false);
  }

  @Override
  public void setLoss(VerificationLoss newLoss) {
    if (!newLoss.isSparse()) {
      throw new UserInputException(
          "the sparse head needs an alpha > 1 loss, got " + newLoss.spec());
    }
    this.loss = newLoss;
  }

  @Override
  public void resetRows(int[] rows, float[] values) {
    table.resetRows(rows, values);
  }

  /** The table: {@link LazyPrototypeTable#save}. */
  @Override
  public void save(Path dir) throws IOException {
    table.save(dir);
  }

  @Override
  public void restore(Path dir) throws IOException {
    NDManager parent = table.manager().getParentManager();
    LazyPrototypeTable loaded =
        LazyPrototypeTable.load(
            parent,
            dir,
            table.sgd(),
            table.blockRows(),
            table.approximationCap(),
            table.screeningPrecision());
    if (loaded.classes() != table.classes() || loaded.dim() != table.dim()) {
      loaded.close();
      throw new UserInputException(
          dir
              + ": the saved head has "
              + loaded.classes()
              + " x "
              + loaded.dim()
              + " prototypes, the run "
              + table.classes()
              + " x "
              + table.dim());
    }
    closePendingGradient();
    pendingRows = new int[0];
    table.close();
    table = loaded;
  }

  @Override
  public void close() {
    table.close();
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }
}
