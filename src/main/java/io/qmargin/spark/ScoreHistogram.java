package io.qmargin.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * Exact counts of target and non-target scores per distinct float score: the scores of one task, or
 * of one score range after the shuffle. A score is stored as its order-preserving integer key
 * ({@link #key}), so that the keys sort as the scores do; keys are kept in ascending order, one
 * entry per distinct score.
 */
public final class ScoreHistogram implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Coarse buckets of {@link #bucketEntries}: the top 16 bits of a key. */
  static final int BUCKETS = 1 << 16;

  private final int[] keys;
  private final long[] targets;
  private final long[] nontargets;

  private ScoreHistogram(int[] keys, long[] targets, long[] nontargets) {
    this.keys = keys;
    this.targets = targets;
    this.nontargets = nontargets;
  }

  /**
   * The integer key of a score: the same order as the floats (-0 counts as +0, as {@code eval}
   * groups them); NaN is not a score.
   */
  public static int key(float score) {
    int bits = Float.floatToIntBits(score + 0.0f);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  /** The score of a key (the inverse of {@link #key}). */
  public static float score(int key) {
    return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7fffffff));
  }

  /** Collects the scores of one task. */
  public static final class Builder {
    private int[] tg = new int[1024];
    private int[] nt = new int[1024];
    private int nt1;
    private int nn1;

    public void add(float score, boolean target) {
      if (target) {
        if (nt1 == tg.length) {
          tg = Arrays.copyOf(tg, grow(tg.length));
        }
        tg[nt1++] = key(score);
      } else {
        if (nn1 == nt.length) {
          nt = Arrays.copyOf(nt, grow(nt.length));
        }
        nt[nn1++] = key(score);
      }
    }

    private static int grow(int n) {
      if (n >= Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("more than 2^31 scores in one task: use more partitions");
      }
      return (int) Math.min(Integer.MAX_VALUE - 16L, n * 2L);
    }

    public ScoreHistogram build() {
      Arrays.sort(tg, 0, nt1);
      Arrays.sort(nt, 0, nn1);
      int[] k = new int[nt1 + nn1];
      long[] t = new long[k.length];
      long[] n = new long[k.length];
      int a = 0;
      int b = 0;
      int m = 0;
      while (a < nt1 || b < nn1) {
        int next = a == nt1 ? nt[b] : b == nn1 ? tg[a] : Math.min(tg[a], nt[b]);
        k[m] = next;
        while (a < nt1 && tg[a] == next) {
          t[m]++;
          a++;
        }
        while (b < nn1 && nt[b] == next) {
          n[m]++;
          b++;
        }
        m++;
      }
      tg = null;
      nt = null;
      return new ScoreHistogram(Arrays.copyOf(k, m), Arrays.copyOf(t, m), Arrays.copyOf(n, m));
    }
  }

  public int size() {
    return keys.length;
  }

  public int key(int i) {
    return keys[i];
  }

  public long targets(int i) {
    return targets[i];
  }

  public long nontargets(int i) {
    return nontargets[i];
  }

  public long totalTargets() {
    return Arrays.stream(targets).sum();
  }

  public long totalNontargets() {
    return Arrays.stream(nontargets).sum();
  }

  /** The coarse bucket of a key, 0 to {@link #BUCKETS} - 1, ascending with the key. */
  static int bucket(int key) {
    return (key >>> 16) ^ 0x8000;
  }

  /** Entries (distinct scores) per coarse bucket, added into {@code into}. */
  void addBucketEntries(long[] into) {
    for (int k : keys) {
      into[bucket(k)]++;
    }
  }

  /** The entries whose bucket lies in [fromBucket, toBucket). */
  ScoreHistogram bucketSlice(int fromBucket, int toBucket) {
    int lo = firstAtLeast(fromBucket);
    int hi = firstAtLeast(toBucket);
    return new ScoreHistogram(
        Arrays.copyOfRange(keys, lo, hi),
        Arrays.copyOfRange(targets, lo, hi),
        Arrays.copyOfRange(nontargets, lo, hi));
  }

  /** The first entry whose bucket is >= b (bucket order is key order). */
  private int firstAtLeast(int b) {
    if (b >= BUCKETS) {
      return keys.length;
    }
    int lowestKey = (b ^ 0x8000) << 16;
    int i = Arrays.binarySearch(keys, lowestKey);
    return i >= 0 ? i : -i - 1;
  }

  /** One histogram of several: the counts of equal scores added. */
  public static ScoreHistogram merge(List<ScoreHistogram> parts) {
    int total = 0;
    for (ScoreHistogram h : parts) {
      total = Math.addExact(total, h.size());
    }
    // sort (key, position) pairs packed in a long: the key in the high half, so longs sort by key
    long[] order = new long[total];
    int[] partStart = new int[parts.size() + 1];
    int m = 0;
    for (int p = 0; p < parts.size(); p++) {
      partStart[p] = m;
      ScoreHistogram h = parts.get(p);
      for (int i = 0; i < h.size(); i++) {
        order[m] = ((long) h.keys[i] << 32) | m;
        m++;
      }
    }
    partStart[parts.size()] = m;
    Arrays.sort(order);
    int[] k = new int[total];
    long[] t = new long[total];
    long[] n = new long[total];
    int out = -1;
    for (long o : order) {
      int flat = (int) o;
      int p = partOf(partStart, flat);
      ScoreHistogram h = parts.get(p);
      int i = flat - partStart[p];
      if (out < 0 || k[out] != h.keys[i]) {
        out++;
        k[out] = h.keys[i];
      }
      t[out] += h.targets[i];
      n[out] += h.nontargets[i];
    }
    int size = out + 1;
    return new ScoreHistogram(
        Arrays.copyOf(k, size), Arrays.copyOf(t, size), Arrays.copyOf(n, size));
  }

  private static int partOf(int[] partStart, int flat) {
    int p = Arrays.binarySearch(partStart, flat);
    if (p >= 0) {
      // partStart may repeat for empty parts: the last part starting here holds it
      while (p + 1 < partStart.length - 1 && partStart[p + 1] == flat) {
        p++;
      }
      return p;
    }
    return -p - 2;
  }
}
