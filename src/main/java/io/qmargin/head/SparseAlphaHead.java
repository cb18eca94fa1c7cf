package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.qmargin.UserInputException;
import io.qmargin.loss.LossOutput;
import io.qmargin.loss.VerificationLoss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exact classification head for the sparse alpha losses (α &gt; 1) that never holds the B × C logits
 * (method.md section 6).
 *
 * <ol>
 *   <li>Stream over blocks of prototypes: one matrix product per block gives its cosines, which are
 *       merged into each sample's running top-(K+1), and the block is discarded.
 *   <li>Drop the target from the candidates (it is always added back), keep the top K non-targets,
 *       and compute τ, p, the loss and ∂L/∂cos on those K + 1 classes.
 *   <li>Certificate: if the smallest kept candidate has p = 0, it lies outside the support, so every
 *       dropped class (whose logit is no larger) does too: τ, p, the loss and the gradient are those
 *       of the full computation. Otherwise K doubles for that sample and it is redone; nothing is
 *       approximated silently. {@link HeadStep#candidateGrowths()} counts the doublings.
 *   <li>The gradient p − e_y touches only the support and the target: only those prototype rows get
 *       a gradient, and {@link LazyPrototypeTable} updates only them, exactly as dense SGD would.
 * </ol>
 */
public final class SparseAlphaHead implements TrainableHead {
  private final VerificationLoss loss;
  private final LazyPrototypeTable table;
  private final int initialK;
  private final int blockRows;
  private int adaptiveK;
  private int[] pendingRows = new int[0];
  private float[] pendingGradients = new float[0];

  public SparseAlphaHead(VerificationLoss loss, LazyPrototypeTable table, int initialK, int blockRows) {
    if (!loss.isSparse()) {
      throw new UserInputException("the sparse head needs an alpha > 1 loss (qmargin, entmax, sparsemax, a3m), got "
          + loss.spec() + "; use the dense or partial_fc head");
    }
    if (initialK < 1 || blockRows < 1) {
      throw new IllegalArgumentException("K and block size must be positive");
    }
    this.loss = loss;
    this.table = table;
    this.initialK = initialK;
    this.blockRows = blockRows;
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

  /** The candidates of one group of rows that share K. */
  private record Group(int[] rows, int k, int[][] candidates) {}

  @Override
  public HeadStep forward(NDArray embeddings, NDArray labels) {
    NDManager m = embeddings.getManager();
    int b = Math.toIntExact(embeddings.getShape().get(0));
    int classes = table.classes();
    long[] y = labels.toType(DataType.INT64, false).toLongArray();
    NDArray xn = embeddings.div(embeddings.norm(new int[] {1}, true).maximum(1e-12));
    NDArray xd = xn.stopGradient();
    int[] active = table.activeRows();
    NDArray activeRows = active.length == 0 ? null : table.currentRows(m, active);

    // candidate selection with per-row growth of K
    List<Group> done = new ArrayList<>();
    long growths = 0;
    int[] pending = range(b);
    // start from twice the largest support seen in the previous step, so that growth stays rare
    int k = Math.min(Math.max(initialK, adaptiveK), classes - 1);
    while (pending.length > 0) {
      final int[] current = pending;
      long t0 = System.nanoTime();
      int[][] cand = selectCandidates(m, xd, current, y, k, active, activeRows);
      long t1 = System.nanoTime();
      double[][] p = posteriorOfCandidates(m, xd, current, y, cand);
      long t2 = System.nanoTime();
      if (System.getProperty("qmargin.profile") != null) {
        System.err.printf("select k=%d rows=%d %.3fs certificate %.3fs%n", k, current.length, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
      }
      List<Integer> ok = new ArrayList<>();
      List<Integer> grow = new ArrayList<>();
      for (int r = 0; r < current.length; r++) {
        // candidates are sorted by cosine; column k−1 is the smallest kept non-target
        if (k >= classes - 1 || p[r][k - 1] == 0.0) {
          ok.add(r);
        } else {
          grow.add(r);
        }
      }
      int[] okRows = ok.stream().mapToInt(r -> current[r]).toArray();
      int[][] okCand = ok.stream().map(r -> cand[r]).toArray(int[][]::new);
      if (okRows.length > 0) {
        done.add(new Group(okRows, k, okCand));
      }
      pending = grow.stream().mapToInt(r -> current[r]).toArray();
      growths += pending.length;
      k = Math.min(2 * k, classes - 1);
    }

    // loss and gradients on the final candidates
    NDArray total = null;
    double supportSum = 0;
    long maxSupport = 0;
    int targetOut = 0;
    Map<Integer, float[]> rowGradients = new LinkedHashMap<>();
    float[] xnValues = xd.toType(DataType.FLOAT32, false).toFloatArray();
    int d = table.dim();
    for (Group g : done) {
      // Arrays of this group stay on the caller's manager: autograd keeps pointers into the gather
      // indices and the candidate rows until the caller's backward pass.
      {
        NDManager scope = m;
        int[] uniq = Arrays.stream(g.candidates()).flatMapToInt(Arrays::stream).distinct().toArray();
        Map<Integer, Integer> col = new LinkedHashMap<>();
        for (int i = 0; i < uniq.length; i++) {
          col.put(uniq[i], i);
        }
        NDArray wu = table.currentRows(scope, uniq);
        NDArray wuNorm = wu.norm(new int[] {1}, true).maximum(1e-12);
        NDArray wun = wu.div(wuNorm);
        long[][] colIdx = new long[g.rows().length][g.k() + 1];
        for (int r = 0; r < g.rows().length; r++) {
          for (int c = 0; c <= g.k(); c++) {
            colIdx[r][c] = col.get(g.candidates()[r][c]);
          }
        }
        NDArray ci = scope.create(flatten(colIdx), new Shape(g.rows().length, g.k() + 1));
        NDArray xg = xn.get(scope.create(g.rows()));
        NDArray cos = xg.matMul(wun.transpose()).gather(ci, 1); // with gradient to x
        NDArray targetCol = scope.full(new Shape(g.rows().length), g.k(), DataType.INT64);
        try (LossOutput out = loss.evaluate(cos.stopGradient(), targetCol)) {
          NDArray gradCos = out.gradCos().div(b);
          NDArray surrogate = gradCos.mul(cos).sum();
          NDArray part = out.loss().sum().div(b).add(surrogate).sub(surrogate.stopGradient());
          total = total == null ? part : total.add(part);
          for (long s : out.support().toLongArray()) {
            supportSum += s;
            maxSupport = Math.max(maxSupport, s);
          }
          for (double py : out.targetProbability().toType(DataType.FLOAT64, false).toDoubleArray()) {
            targetOut += py == 0 ? 1 : 0;
          }
          // ∂L/∂W_j = Σ_i g_ij (x̂_i − cos_ij ŵ_j) / |W_j|, over the non-zero g_ij only
          float[] gc = gradCos.toType(DataType.FLOAT32, false).toFloatArray();
          float[] cv = cos.stopGradient().toType(DataType.FLOAT32, false).toFloatArray();
          float[] wn = wun.toFloatArray();
          float[] norms = wuNorm.toFloatArray();
          for (int r = 0; r < g.rows().length; r++) {
            int row = g.rows()[r];
            for (int c = 0; c <= g.k(); c++) {
              float gij = gc[r * (g.k() + 1) + c];
              if (gij == 0f) {
                continue;
              }
              int j = g.candidates()[r][c];
              int u = col.get(j);
              float cij = cv[r * (g.k() + 1) + c];
              float[] acc = rowGradients.computeIfAbsent(j, key -> new float[d]);
              float inv = 1f / norms[u];
              for (int t = 0; t < d; t++) {
                acc[t] += gij * (xnValues[row * d + t] - cij * wn[u * d + t]) * inv;
              }
            }
          }
        }
      }
    }
    adaptiveK = (int) Math.min(Integer.highestOneBit((int) Math.max(1, 2 * maxSupport - 1)) * 2L, classes - 1);
    pendingRows = rowGradients.keySet().stream().mapToInt(Integer::intValue).toArray();
    pendingGradients = new float[pendingRows.length * d];
    for (int i = 0; i < pendingRows.length; i++) {
      System.arraycopy(rowGradients.get(pendingRows[i]), 0, pendingGradients, i * d, d);
    }
    if (activeRows != null) {
      activeRows.close();
    }
    return new HeadStep(total, supportSum / b, (double) targetOut / b, growths);
  }

  /**
   * Top-K non-target classes of each of the given rows (sorted by decreasing cosine), with the
   * target appended as column K.
   */
  private int[][] selectCandidates(NDManager m, NDArray xd, int[] rows, long[] y, int k, int[] active,
      NDArray activeRows) {
    int classes = table.classes();
    int keep = Math.min(k + 1, classes);
    NDArray values = null;
    NDArray indices = null;
    try (NDManager scope = m.newSubManager()) {
      NDArray x = xd.get(scope.create(rows));
      for (int start = 0; start < classes; start += blockRows) {
        int end = Math.min(classes, start + blockRows);
        try (NDManager block = scope.newSubManager()) {
          NDIndex range = new NDIndex(start + ":" + end);
          NDArray wb = table.baseWeights().get(range);
          NDArray cos = x.matMul(wb.transpose()).mul(table.inverseNorms().get(range)).add(table.mask().get(range));
          NDList top = cos.topK(Math.min(keep, end - start), 1, true, true);
          NDArray v = top.get(0);
          NDArray i = top.get(1).add(start);
          NDArray mergedV = values == null ? v : values.concat(v, 1);
          NDArray mergedI = indices == null ? i : indices.concat(i, 1);
          NDList best = mergedV.topK(Math.min(keep, (int) mergedV.getShape().get(1)), 1, true, true);
          values = best.get(0);
          indices = mergedI.gather(best.get(1), 1);
          values.attach(scope);
          indices.attach(scope);
        }
      }
      if (activeRows != null) {
        // rows updated within the momentum window: exact cosines from the transform (masked above)
        NDArray an = activeRows.div(activeRows.norm(new int[] {1}, true).maximum(1e-12));
        NDArray cos = x.matMul(an.transpose());
        NDArray ids = scope.create(Arrays.stream(active).asLongStream().toArray()).expandDims(0)
            .repeat(0, rows.length);
        NDArray mergedV = values.concat(cos, 1);
        NDArray mergedI = indices.toType(DataType.INT64, false).concat(ids, 1);
        NDList best = mergedV.topK(keep, 1, true, true);
        indices = mergedI.gather(best.get(1), 1);
      }
      long[] idx = indices.toType(DataType.INT64, false).toLongArray();
      int width = (int) indices.getShape().get(1);
      int[][] out = new int[rows.length][k + 1];
      for (int r = 0; r < rows.length; r++) {
        long target = y[rows[r]];
        int c = 0;
        for (int t = 0; t < width && c < k; t++) {
          long j = idx[r * width + t];
          if (j != target) {
            out[r][c++] = (int) j;
          }
        }
        if (c < k) {
          throw new IllegalStateException("not enough candidates");
        }
        out[r][k] = (int) target;
      }
      return out;
    }
  }

  /** Posterior on the candidates (for the certificate), from exact current prototype rows. */
  private double[][] posteriorOfCandidates(NDManager m, NDArray xd, int[] rows, long[] y, int[][] cand) {
    int k1 = cand[0].length;
    try (NDManager scope = m.newSubManager()) {
      int[] flat = Arrays.stream(cand).flatMapToInt(Arrays::stream).toArray();
      NDArray wc = table.currentRows(scope, flat).reshape(rows.length, k1, table.dim());
      NDArray wcn = wc.div(wc.norm(new int[] {2}, true).maximum(1e-12));
      NDArray x = xd.get(scope.create(rows)).expandDims(1);
      NDArray cos = wcn.mul(x).sum(new int[] {2});
      try (LossOutput out = loss.evaluate(cos, scope.full(new Shape(rows.length), k1 - 1, DataType.INT64))) {
        double[] p = out.posterior().toType(DataType.FLOAT64, false).toDoubleArray();
        double[][] res = new double[rows.length][k1];
        for (int r = 0; r < rows.length; r++) {
          System.arraycopy(p, r * k1, res[r], 0, k1);
        }
        return res;
      }
    }
  }

  /** Rows with a gradient in the last forward pass (ascending by first appearance). */
  public int[] lastGradientRows() {
    return pendingRows.clone();
  }

  /** Their gradients, flattened rows × d. */
  public float[] lastGradients() {
    return pendingGradients.clone();
  }

  @Override
  public void update(double learningRate) {
    table.step(pendingRows, pendingGradients, learningRate);
    pendingRows = new int[0];
    pendingGradients = new float[0];
  }

  @Override
  public float[] prototypeRows(int[] rows) {
    return table.currentRowValues(rows, false);
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

  private static long[] flatten(long[][] a) {
    return Arrays.stream(a).flatMapToLong(Arrays::stream).toArray();
  }
}
