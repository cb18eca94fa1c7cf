package io.qmargin.spark;

import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.OperatingPointSweep;
import io.qmargin.eval.metrics.VerificationMetrics;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Exact verification metrics of scores that stay distributed: each task reduces its scores to a
 * {@link ScoreHistogram} (target and non-target counts per distinct float score); a coarse count of
 * distinct scores per bucket of the top 16 bits of the score cuts the score axis into ranges of at
 * most {@code rangeEntries} distinct scores; the histograms are shuffled by range and merged; the
 * driver then reads the ranges one at a time, from the highest score down, and feeds every distinct
 * score with its counts into the same {@link OperatingPointSweep} as single-machine {@code eval}.
 * The metrics are therefore those of {@link VerificationMetrics#computeInPlace} on the same scores,
 * bit for bit; the driver holds one range, never the scores.
 */
public final class DistributedMetrics {
  private DistributedMetrics() {}

  /** Distinct scores per range by default (a range is what the driver holds at one time). */
  public static final int DEFAULT_RANGE_ENTRIES = 4_000_000;

  /**
   * The metrics of every score in {@code histograms}; {@code source} names the scores in the error
   * when targets or non-targets are missing.
   */
  public static VerificationMetrics compute(
      JavaRDD<ScoreHistogram> histograms, MetricOptions options, int rangeEntries, String source) {
    JavaRDD<ScoreHistogram> parts = histograms.persist(StorageLevel.MEMORY_AND_DISK_SER());
    try {
      Summary s = parts.map(Summary::of).treeReduce(Summary::plus);
      if (s.targets == 0 || s.nontargets == 0) {
        throw new UserInputException(
            source
                + ": "
                + (s.targets + s.nontargets == 0
                    ? "no scores"
                    : s.targets == 0
                        ? "only non-target trials, no target trial: the metrics need both"
                        : "only target trials, no non-target trial: the metrics need both"));
      }
      int[] starts = rangeStarts(s.bucketEntries, rangeEntries);
      int ranges = starts.length;
      JavaRDD<ScoreHistogram> byRange =
          parts
              .flatMapToPair(
                  h -> {
                    List<Tuple2<Integer, ScoreHistogram>> out = new ArrayList<>();
                    for (int r = 0; r < ranges; r++) {
                      int to = r == 0 ? ScoreHistogram.BUCKETS : starts[r - 1];
                      ScoreHistogram piece = h.bucketSlice(starts[r], to);
                      if (piece.size() > 0) {
                        out.add(new Tuple2<>(r, piece));
                      }
                    }
                    return out.iterator();
                  })
              .partitionBy(new RangePartitioner(ranges))
              .mapPartitions(
                  it -> {
                    List<ScoreHistogram> pieces = new ArrayList<>();
                    it.forEachRemaining(t -> pieces.add(t._2()));
                    return List.of(ScoreHistogram.merge(pieces)).iterator();
                  });
      OperatingPointSweep sweep = new OperatingPointSweep(s.targets, s.nontargets, options);
      // partition r holds range r; ranges go from the highest scores down
      Iterator<ScoreHistogram> it = byRange.toLocalIterator();
      while (it.hasNext()) {
        ScoreHistogram h = it.next();
        for (int i = h.size() - 1; i >= 0; i--) {
          sweep.add(ScoreHistogram.score(h.key(i)), h.targets(i), h.nontargets(i));
        }
      }
      return sweep.finish();
    } finally {
      parts.unpersist(false);
    }
  }

  /**
   * The first bucket of each range, ranges in decreasing score order: consecutive buckets, from the
   * top, until a range holds more than {@code rangeEntries} entries (one bucket may hold more).
   */
  static int[] rangeStarts(long[] bucketEntries, int rangeEntries) {
    List<Integer> starts = new ArrayList<>();
    long inRange = 0;
    for (int b = bucketEntries.length - 1; b >= 0; b--) {
      if (inRange > 0 && inRange + bucketEntries[b] > rangeEntries) {
        starts.add(b + 1);
        inRange = 0;
      }
      inRange += bucketEntries[b];
    }
    starts.add(0);
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Totals and coarse distinct-score counts of some histograms. */
  private record Summary(long targets, long nontargets, long[] bucketEntries)
      implements Serializable {
    static Summary of(ScoreHistogram h) {
      long[] b = new long[ScoreHistogram.BUCKETS];
      h.addBucketEntries(b);
      return new Summary(h.totalTargets(), h.totalNontargets(), b);
    }

    Summary plus(Summary o) {
      long[] b = bucketEntries.clone();
      for (int i = 0; i < b.length; i++) {
        b[i] += o.bucketEntries[i];
      }
      return new Summary(targets + o.targets, nontargets + o.nontargets, b);
    }
  }

  /** Sends range r to partition r. */
  private static final class RangePartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int ranges;

    RangePartitioner(int ranges) {
      this.ranges = ranges;
    }

    @Override
    public int numPartitions() {
      return ranges;
    }

    @Override
    public int getPartition(Object key) {
      return (Integer) key;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RangePartitioner p && p.ranges == ranges;
    }

    @Override
    public int hashCode() {
      return ranges;
    }
  }
}
