package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  /** Timings of the phases of a step at debug level (logger io.qmargin.head.SparseAlphaHead). */
  private static final Logger LOG = LoggerFactory.getLogger(SparseAlphaHead.class);
  private VerificationLoss loss;
  private LazyPrototypeTable table;
  private final int initialK;
  private int adaptiveK;
  private int[] pendingRows = new int[0];
  private NDArray pendingGradient;

  public SparseAlphaHead(VerificationLoss loss, LazyPrototypeTable table, int initialK) {
    if (!loss.isSparse()) {
      throw new UserInputException("the sparse head needs an alpha > 1 loss (qmargin, entmax, sparsemax, a3m), got "
          + loss.spec() + "; use the dense or partial_fc head");
    }
    if (initialK < 1) {
      throw new IllegalArgumentException("K must be positive");
    }
    this.loss = loss;
    this.table = table;
    this.initialK = initialK;
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

  /** Candidate classes (K non-targets by decreasing cosine, then the target) and their cosines. */
  private record Candidates(int[] rows, int k, long[] classes, float[] cosines) {}

  @Override
  public HeadStep forward(NDArray embeddings, NDArray labels) {
    long tStart = System.nanoTime();
    NDManager m = embeddings.getManager();
    int b = Math.toIntExact(embeddings.getShape().get(0));
    int classes = table.classes();
    long[] y = labels.toType(DataType.INT64, false).toLongArray();
    NDArray xn = embeddings.div(embeddings.norm(new int[] {1}, true).maximum(1e-12));
    NDArray xd = xn.stopGradient();
    NDArray targetRows = table.currentRows(m, Arrays.stream(y).mapToInt(Math::toIntExact).toArray());
    float[] targetCos = xd.mul(targetRows.div(targetRows.norm(new int[] {1}, true).maximum(1e-12)))
        .sum(new int[] {1}).toFloatArray();

    // candidates, loss and ∂L/∂cos, doubling K for the rows whose certificate fails
    long growths = 0;
    double lossSum = 0;
    double supportSum = 0;
    long maxSupport = 0;
    int targetOut = 0;
    List<long[]> gClass = new ArrayList<>(); // (row, class) of each non-zero ∂L/∂cos
    List<float[]> gValue = new ArrayList<>(); // (∂L/∂cos / B, cos)
    int[] pending = range(b);
    int k = Math.min(Math.max(initialK, adaptiveK), classes - 1);
    while (pending.length > 0) {
      long t0 = System.nanoTime();
      Candidates c = selectCandidates(m, xd, pending, y, targetCos, k);
      if (LOG.isDebugEnabled()) {
        LOG.debug(String.format(java.util.Locale.ROOT, "select k=%d rows=%d unfolded=%d: %.3f s", k, pending.length,
            table.unfoldedRows(), (System.nanoTime() - t0) / 1e9));
      }
      int k1 = k + 1;
      try (NDManager scope = m.newSubManager()) {
        NDArray cos = scope.create(c.cosines(), new Shape(pending.length, k1));
        try (LossOutput out = loss.evaluate(cos, scope.full(new Shape(pending.length), k, DataType.INT64))) {
          float[] p = out.posterior().toType(DataType.FLOAT32, false).toFloatArray();
          float[] g = out.gradCos().toType(DataType.FLOAT32, false).toFloatArray();
          float[] l = out.loss().toType(DataType.FLOAT32, false).toFloatArray();
          long[] support = out.support().toLongArray();
          List<Integer> grow = new ArrayList<>();
          for (int r = 0; r < pending.length; r++) {
            // column k−1 holds the smallest kept non-target: p = 0 there certifies the row
            if (k < classes - 1 && p[r * k1 + k - 1] != 0f) {
              grow.add(pending[r]);
              continue;
            }
            lossSum += l[r];
            supportSum += support[r];
            maxSupport = Math.max(maxSupport, support[r]);
            targetOut += p[r * k1 + k] == 0f ? 1 : 0;
            for (int j = 0; j < k1; j++) {
              float gij = g[r * k1 + j];
              if (gij != 0f) {
                gClass.add(new long[] {pending[r], c.classes()[r * k1 + j]});
                gValue.add(new float[] {gij / b, c.cosines()[r * k1 + j]});
              }
            }
          }
          pending = grow.stream().mapToInt(Integer::intValue).toArray();
          growths += pending.length;
        }
      }
      k = Math.min(2 * k, classes - 1);
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug(String.format(java.util.Locale.ROOT, "candidates + loss: %.3f s", (System.nanoTime() - tStart) / 1e9));
    }
    adaptiveK = (int) Math.min(Integer.highestOneBit((int) Math.max(1, 2 * maxSupport - 1)) * 2L, classes - 1);

    long tGrad = System.nanoTime();
    // gradients: only the rows with a non-zero ∂L/∂cos (support and targets) are gathered
    Map<Long, Integer> column = new LinkedHashMap<>();
    for (long[] rc : gClass) {
      column.putIfAbsent(rc[1], column.size());
    }
    int u = column.size();
    float[] gMatrix = new float[b * u];
    float[] gCos = new float[b * u];
    for (int i = 0; i < gClass.size(); i++) {
      int idx = (int) gClass.get(i)[0] * u + column.get(gClass.get(i)[1]);
      gMatrix[idx] += gValue.get(i)[0];
      gCos[idx] += gValue.get(i)[0] * gValue.get(i)[1];
    }
    pendingRows = column.keySet().stream().mapToInt(Long::intValue).toArray();
    NDArray total;
    if (u == 0) {
      total = xn.sum().mul(0).add((float) (lossSum / b));
      pendingGradient = null;
    } else {
      NDArray wu = table.currentRows(m, pendingRows);
      NDArray norms = wu.norm(new int[] {1}, true).maximum(1e-12);
      NDArray wun = wu.div(norms);
      NDArray gm = m.create(gMatrix, new Shape(b, u));
      // ∂L/∂x̂_i = Σ_j g_ij ŵ_j; the surrogate ⟨x̂, h⟩ carries it through the normalisation of x
      NDArray h = gm.matMul(wun);
      NDArray surrogate = xn.mul(h).sum();
      total = surrogate.sub(surrogate.stopGradient()).add((float) (lossSum / b));
      // ∂L/∂W_j = (Σ_i g_ij x̂_i − (Σ_i g_ij cos_ij) ŵ_j) / |W_j|
      NDArray gc = m.create(gCos, new Shape(b, u)).sum(new int[] {0}).expandDims(1);
      pendingGradient = gm.transpose().matMul(xd).sub(gc.mul(wun)).div(norms);
      pendingGradient.attach(table.manager());
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug(String.format(java.util.Locale.ROOT, "gradient part: %.3f s; forward total: %.3f s (%d gradient rows)",
          (System.nanoTime() - tGrad) / 1e9, (System.nanoTime() - tStart) / 1e9, u));
    }
    return new HeadStep(total, supportSum / b, (double) targetOut / b, growths);
  }

  /**
   * Top-K non-target classes of each of the given rows (the smallest of them in column K − 1),
   * then the target: the class ids and cosines, (rows × (K + 1)) flattened.
   */
  private Candidates selectCandidates(NDManager m, NDArray xd, int[] rows, long[] y, float[] targetCos, int k) {
    int classes = table.classes();
    int keep = Math.min(k + 1, classes);
    NDArray values = null;
    NDArray indices = null;
    try (NDManager scope = m.newSubManager()) {
      NDArray x = xd.get(scope.create(rows));
      int blockRows = table.blockRows();
      for (int start = 0; start < classes; start += blockRows) {
        int end = Math.min(classes, start + blockRows);
        try (NDManager block = scope.newSubManager()) {
          NDArray cos = table.blockCosines(block, x, start, end);
          NDList top = cos.topK(Math.min(keep, end - start), 1, true, false);
          NDArray v = top.get(0);
          NDArray i = top.get(1).add(start);
          NDArray mergedV = values == null ? v : values.concat(v, 1);
          NDArray mergedI = indices == null ? i : indices.concat(i, 1);
          NDList best = mergedV.topK(Math.min(keep, (int) mergedV.getShape().get(1)), 1, true, false);
          values = best.get(0);
          indices = mergedI.gather(best.get(1), 1);
          values.attach(scope);
          indices.attach(scope);
        }
      }
      long[] idx = indices.toType(DataType.INT64, false).toLongArray();
      float[] val = values.toType(DataType.FLOAT32, false).toFloatArray();
      int width = (int) indices.getShape().get(1);
      long[] outIdx = new long[rows.length * (k + 1)];
      float[] outCos = new float[rows.length * (k + 1)];
      for (int r = 0; r < rows.length; r++) {
        long target = y[rows[r]];
        int c = 0;
        for (int t = 0; t < width && c < k; t++) {
          long j = idx[r * width + t];
          if (j != target) {
            outIdx[r * (k + 1) + c] = j;
            outCos[r * (k + 1) + c] = val[r * width + t];
            c++;
          }
        }
        if (c < k) {
          throw new IllegalStateException("not enough candidates");
        }
        // the certificate reads column k − 1: put the smallest kept non-target there
        int base = r * (k + 1);
        int min = 0;
        for (int t = 1; t < k; t++) {
          if (outCos[base + t] < outCos[base + min]) {
            min = t;
          }
        }
        swap(outIdx, outCos, base + min, base + k - 1);
        outIdx[r * (k + 1) + k] = target;
        outCos[r * (k + 1) + k] = targetCos[rows[r]];
      }
      return new Candidates(rows, k, outIdx, outCos);
    }
  }

  /** Rows with a gradient in the last forward pass. */
  public int[] lastGradientRows() {
    return pendingRows.clone();
  }

  /** Their gradients, flattened rows × d. */
  public float[] lastGradients() {
    return pendingGradient == null ? new float[0] : pendingGradient.toFloatArray();
  }

  @Override
  public void update(double learningRate) {
    if (pendingGradient == null) {
      table.step(new int[0], new float[0], learningRate);
    } else {
      table.step(pendingRows, pendingGradient, learningRate);
      pendingGradient.close();
    }
    pendingRows = new int[0];
    pendingGradient = null;
  }

  @Override
  public float[] prototypeRows(int[] rows) {
    return table.currentRowValues(rows, false);
  }

  @Override
  public void setLoss(VerificationLoss newLoss) {
    if (!newLoss.isSparse()) {
      throw new UserInputException("the sparse head needs an alpha > 1 loss, got " + newLoss.spec());
    }
    this.loss = newLoss;
  }

  @Override
  public void resetRows(int[] rows, float[] values) {
    table.resetRows(rows, values);
  }

  /** The table ({@link LazyPrototypeTable#save}) and the adaptive K in {@code head.json}. */
  @Override
  public void save(Path dir) throws IOException {
    table.save(dir);
    AtomicFiles.writeString(dir.resolve("head.json"), Json.pretty(java.util.Map.of("adaptive_k", adaptiveK)));
  }

  @Override
  public void restore(Path dir) throws IOException {
    NDManager parent = table.manager().getParentManager();
    LazyPrototypeTable loaded = LazyPrototypeTable.load(parent, dir, table.sgd(), table.blockRows());
    if (loaded.classes() != table.classes() || loaded.dim() != table.dim()) {
      loaded.close();
      throw new UserInputException(dir + ": the saved head has " + loaded.classes() + " x " + loaded.dim()
          + " prototypes, the run " + table.classes() + " x " + table.dim());
    }
    table.close();
    table = loaded;
    Path head = dir.resolve("head.json");
    if (Files.exists(head)) {
      adaptiveK = Json.mapper().readTree(head.toFile()).get("adaptive_k").asInt();
    }
    if (pendingGradient != null) {
      pendingGradient.close();
    }
    pendingRows = new int[0];
    pendingGradient = null;
  }

  @Override
  public void close() {
    table.close();
  }

  private static void swap(long[] idx, float[] val, int a, int b) {
    long i = idx[a];
    idx[a] = idx[b];
    idx[b] = i;
    float v = val[a];
    val[a] = val[b];
    val[b] = v;
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

}
