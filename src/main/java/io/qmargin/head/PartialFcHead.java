package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.qmargin.loss.VerificationLoss;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Partial FC (An et al., CVPR 2022), the approximate baseline: each step samples a fraction r of
 * the classes, always including every class in the batch, and computes the loss on the sampled
 * classes only; only the sampled rows and their momentum are updated (unsampled rows are frozen, as
 * in insightface's implementation). Any loss of the family, usually the softmax ones.
 */
public final class PartialFcHead extends StoredPrototypes {
  private final double sampleRate;
  private final long seed;
  private int[] pendingRows;

  public PartialFcHead(
      NDManager parent,
      VerificationLoss loss,
      NDArray initial,
      SgdSettings sgd,
      double sampleRate,
      long seed) {
    super(parent, loss, initial, sgd);
    if (!(sampleRate > 0 && sampleRate <= 1)) {
      throw new IllegalArgumentException("sample rate must be in (0, 1], got " + sampleRate);
    }
    this.sampleRate = sampleRate;
    this.seed = seed;
  }

  /**
   * Positives first (in order of first appearance), then distinct random negatives drawn from
   * (seed, step), so that a resumed run draws the same classes.
   */
  int[] sample(long[] labels) {
    SplittableRandom random = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * steps);
    int classes = classes();
    int target = (int) Math.ceil(sampleRate * classes);
    boolean[] taken = new boolean[classes];
    int[] rows = new int[Math.max(target, labels.length)];
    int n = 0;
    for (long y : labels) {
      if (!taken[(int) y]) {
        taken[(int) y] = true;
        rows[n++] = (int) y;
      }
    }
    while (n < target) {
      int j = random.nextInt(classes);
      if (!taken[j]) {
        taken[j] = true;
        rows[n++] = j;
      }
    }
    return Arrays.copyOf(rows, n);
  }

  @Override
  public HeadStep forward(NDArray embeddings, NDArray labels) {
    long[] y = labels.toType(DataType.INT64, false).toLongArray();
    int[] rows = sample(y);
    steps++;
    int[] column = new int[classes()];
    for (int i = 0; i < rows.length; i++) {
      column[rows[i]] = i;
    }
    long[] remapped = Arrays.stream(y).map(label -> column[(int) label]).toArray();
    NDManager m = embeddings.getManager();
    NDArray ws = w.get(m, new NDIndex("{}", m.create(rows)));
    DenseCosineStep.Result r = DenseCosineStep.compute(loss, embeddings, ws, m.create(remapped));
    pendingRows = rows;
    keepGradient(r.prototypeGradient());
    return r.step();
  }

  @Override
  public void update(double learningRate) {
    if (pendingGradient == null) {
      return;
    }
    try (NDManager scope = manager.newSubManager()) {
      NDArray idx = scope.create(pendingRows);
      NDArray ws = w.get(scope, new NDIndex("{}", idx));
      NDArray vs = v.get(scope, new NDIndex("{}", idx));
      sgd.step(ws, vs, pendingGradient, learningRate);
      w.set(new NDIndex("{}", idx), ws);
      v.set(new NDIndex("{}", idx), vs);
    }
    pendingGradient.close();
    pendingGradient = null;
  }
}
