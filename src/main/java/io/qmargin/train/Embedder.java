package io.qmargin.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.qmargin.Progress;
import java.util.function.IntFunction;

/**
 * Embeddings of a trained backbone in inference mode (BatchNorm running statistics, no dropout, no
 * autograd), optionally with insightface's flip test: the embedding of the horizontally flipped
 * image is added to the embedding of the image before normalisation. Outputs are L2-normalised.
 */
public final class Embedder {
  private final Block backbone;
  private final NDManager manager;
  private final long[] sampleShape;
  private final int batchSize;

  public Embedder(Block backbone, NDManager manager, long[] sampleShape, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    this.backbone = backbone;
    this.manager = manager;
    this.sampleShape = sampleShape.clone();
    this.batchSize = batchSize;
  }

  /**
   * Embeds {@code count} samples given by {@code load} (flattened, of the sample shape) and returns
   * the normalised embeddings, flattened count × d.
   *
   * @param flip add the flipped image's embedding (images only: flips the last axis)
   */
  public float[] embed(int count, IntFunction<float[]> load, boolean flip, Progress progress) {
    if (count == 0) {
      return new float[0];
    }
    int sampleSize = 1;
    for (long s : sampleShape) {
      sampleSize *= (int) s;
    }
    float[] out = null;
    int dim = -1;
    ParameterStore store = new ParameterStore(manager, false);
    for (int start = 0; start < count; start += batchSize) {
      int n = Math.min(batchSize, count - start);
      float[] data = new float[n * sampleSize];
      for (int i = 0; i < n; i++) {
        System.arraycopy(load.apply(start + i), 0, data, i * sampleSize, sampleSize);
      }
      long[] shape = new long[sampleShape.length + 1];
      shape[0] = n;
      System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = scope.create(data, new Shape(shape));
        NDArray e = backbone.forward(store, new NDList(x), false).singletonOrThrow();
        if (flip) {
          e =
              e.add(
                  backbone
                      .forward(store, new NDList(x.flip(shape.length - 1)), false)
                      .singletonOrThrow());
        }
        e = e.div(e.norm(new int[] {1}, true).maximum(1e-12f));
        float[] values = e.toFloatArray();
        if (out == null) {
          dim = values.length / n;
          out = new float[count * dim];
        }
        System.arraycopy(values, 0, out, start * dim, n * dim);
      }
      progress.step(n);
    }
    return out == null ? new float[0] : out;
  }

  /**
   * The fewest frames a whole utterance ({@code frames × dim} features) must have for the backbone
   * to embed it: strided convolutions and statistics pooling need a minimum length that depends on
   * the architecture. Found by trying 1, 2, 4, ... frames on silence, then bisecting; a length that
   * works is assumed to keep working when longer. Returns {@code maxFrames + 1} when no length up
   * to {@code maxFrames} works.
   */
  public int minimumFrames(long dim, int maxFrames) {
    ParameterStore store = new ParameterStore(manager, false);
    int works = 1;
    while (!embeds(store, works, dim)) {
      if (works >= maxFrames) {
        return maxFrames + 1;
      }
      works = (int) Math.min(maxFrames, 2L * works);
    }
    int fails = works / 2; // 0 when 1 frame works; otherwise the last length tried, which failed
    while (works - fails > 1) {
      int mid = (fails + works) >>> 1;
      if (embeds(store, mid, dim)) {
        works = mid;
      } else {
        fails = mid;
      }
    }
    return works;
  }

  private boolean embeds(ParameterStore store, int frames, long dim) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = scope.zeros(TrainingRun.shape(1, new long[] {frames, dim}));
      backbone.forward(store, new NDList(x), false);
      return true;
    } catch (RuntimeException tooShort) {
      // The backbone's own complaint (a kernel larger than its input, pooling over one frame).
      return false;
    }
  }

  /** A sample of its own shape (a whole utterance: frames × mel bins). */
  public record Sample(float[] data, long[] shape) {}

  /**
   * Embeds samples of different shapes one at a time (whole utterances at test time); returns the
   * normalised embeddings, flattened count × d.
   */
  public float[] embedEach(int count, IntFunction<Sample> load, Progress progress) {
    float[] out = null;
    int dim = -1;
    ParameterStore store = new ParameterStore(manager, false);
    for (int i = 0; i < count; i++) {
      Sample s = load.apply(i);
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = scope.create(s.data(), TrainingRun.shape(1, s.shape()));
        NDArray e = backbone.forward(store, new NDList(x), false).singletonOrThrow();
        e = e.div(e.norm(new int[] {1}, true).maximum(1e-12f));
        float[] values = e.toFloatArray();
        if (out == null) {
          dim = values.length;
          out = new float[count * dim];
        }
        System.arraycopy(values, 0, out, i * dim, dim);
      }
      progress.step(1);
    }
    return out == null ? new float[0] : out;
  }
}
