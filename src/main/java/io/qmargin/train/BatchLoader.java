package io.qmargin.train;

import io.qmargin.data.SampleSet;
import io.qmargin.data.UnreadableSampleException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Cuts each epoch of a {@link SampleSet} into batches and loads them on a small thread pool, one
 * batch ahead of the training step. Epoch e visits the samples in the order {@link
 * EpochOrder#shuffled}(seed, e); its last incomplete batch is dropped (as insightface's {@code
 * drop_last}). Batch (e, k) is a pure function of (seed, e, k), which is what lets a run resume at
 * any step. Unreadable samples are reported through {@code skipped} and left out of the batch.
 */
public final class BatchLoader implements AutoCloseable {

  /** A loaded batch: {@code count} samples of {@code sampleSize} floats each, and their labels. */
  public record Batch(long epoch, int index, float[] data, int[] labels, int count, int skipped) {}

  private final SampleSet set;
  private final long seed;
  private final int batchSize;
  private final int sampleSize;
  private final ExecutorService prefetch;
  private final ExecutorService workers;
  private final int threads;
  private final Consumer<UnreadableSampleException> skipped;
  private long cachedEpoch = -1;
  private int[] cachedOrder;
  private CompletableFuture<Batch> ahead;
  private long aheadEpoch = -1;
  private int aheadIndex = -1;

  public BatchLoader(
      SampleSet set,
      long seed,
      int batchSize,
      int threads,
      Consumer<UnreadableSampleException> skipped) {
    if (set.size() < batchSize) {
      throw new io.qmargin.UserInputException(
          "the training set has "
              + set.size()
              + " samples, fewer than one batch ("
              + batchSize
              + "): lower batch_size");
    }
    this.set = set;
    this.seed = seed;
    this.batchSize = batchSize;
    long n = 1;
    for (long s : set.sampleShape()) {
      n *= s;
    }
    this.sampleSize = Math.toIntExact(n);
    this.threads = Math.max(1, threads);
    this.prefetch = Executors.newSingleThreadExecutor(daemon("qmargin-prefetch"));
    this.workers = Executors.newFixedThreadPool(this.threads, daemon("qmargin-loader"));
    this.skipped = skipped;
  }

  public int batchesPerEpoch() {
    return set.size() / batchSize;
  }

  public int sampleSize() {
    return sampleSize;
  }

  /** Batch {@code index} of {@code epoch}; starts loading the following batch in the background. */
  public Batch get(long epoch, int index) {
    Batch b;
    if (ahead != null && aheadEpoch == epoch && aheadIndex == index) {
      b = ahead.join();
    } else {
      if (ahead != null) {
        ahead.cancel(false);
      }
      b = load(epoch, index);
    }
    long nextEpoch = index + 1 < batchesPerEpoch() ? epoch : epoch + 1;
    int nextIndex = index + 1 < batchesPerEpoch() ? index + 1 : 0;
    aheadEpoch = nextEpoch;
    aheadIndex = nextIndex;
    ahead = CompletableFuture.supplyAsync(() -> load(nextEpoch, nextIndex), prefetch);
    return b;
  }

  private synchronized int[] order(long epoch) {
    if (cachedEpoch != epoch) {
      cachedOrder = EpochOrder.shuffled(seed, epoch, set.size());
      cachedEpoch = epoch;
    }
    return cachedOrder;
  }

  private Batch load(long epoch, int index) {
    int[] order = order(epoch);
    float[][] samples = new float[batchSize][];
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int from = t * batchSize / threads;
      int to = (t + 1) * batchSize / threads;
      parts.add(
          CompletableFuture.runAsync(
              () -> {
                for (int i = from; i < to; i++) {
                  int sample = order[index * batchSize + i];
                  try {
                    samples[i] = set.load(sample, epoch);
                  } catch (UnreadableSampleException e) {
                    skipped.accept(e);
                  }
                }
              },
              workers));
    }
    parts.forEach(CompletableFuture::join);
    int count = 0;
    for (float[] s : samples) {
      if (s != null) {
        count++;
      }
    }
    float[] data = new float[count * sampleSize];
    int[] labels = new int[count];
    int k = 0;
    for (int i = 0; i < batchSize; i++) {
      if (samples[i] != null) {
        if (samples[i].length != sampleSize) {
          throw new IllegalStateException(
              set.source(order[index * batchSize + i])
                  + ": sample has "
                  + samples[i].length
                  + " values, expected "
                  + sampleSize);
        }
        System.arraycopy(samples[i], 0, data, k * sampleSize, sampleSize);
        labels[k++] = set.label(order[index * batchSize + i]);
      }
    }
    return new Batch(epoch, index, data, labels, count, batchSize - count);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger id = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + id.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    prefetch.shutdownNow();
    workers.shutdownNow();
  }
}
