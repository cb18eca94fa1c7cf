package io.qmargin.serve.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.IntStream;

/**
 * The templates of all subjects as one row-major float32 matrix, for exact 1:N cosine search.
 * Templates are stored as given (callers put unit vectors, so a dot product is a cosine); scores
 * are float dot products, the same for {@link #score} and {@link #topK}. Matches are ordered by
 * score, highest first, and equal scores by subject id (ascending, {@link String#compareTo}), so
 * the order does not depend on the order of insertion or on the number of threads. Thread-safe:
 * searches share a read lock, changes take the write lock.
 */
public final class TemplateMatrix {
  /** Below this many rows a search runs on the calling thread only. */
  private static final int PARALLEL_ROWS = 16_384;

  private static final Comparator<Match> BEST_FIRST =
      Comparator.comparingDouble(Match::score).reversed().thenComparing(Match::subjectId);

  private final int dimension;
  private final int maxRows;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private float[] data;
  private String[] ids;
  private int rows;
  // subject id -> row; sorted, so it also serves the listing of subjects in id order
  private final TreeMap<String, Integer> rowOf = new TreeMap<>();

  public TemplateMatrix(int dimension) {
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be positive, got " + dimension);
    }
    this.dimension = dimension;
    this.maxRows = (Integer.MAX_VALUE - 16) / dimension; // a Java array's length is an int
    this.data = new float[64 * dimension];
    this.ids = new String[64];
  }

  public int dimension() {
    return dimension;
  }

  public int size() {
    lock.readLock().lock();
    try {
      return rows;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Adds the subject's template, or replaces it if the subject is already there. */
  public void put(String subjectId, float[] template) {
    if (template.length != dimension) {
      throw new IllegalArgumentException(
          "template has " + template.length + " components, expected " + dimension);
    }
    lock.writeLock().lock();
    try {
      Integer row = rowOf.get(subjectId);
      if (row == null) {
        ensureCapacity(rows + 1);
        row = rows++;
        ids[row] = subjectId;
        rowOf.put(subjectId, row);
      }
      System.arraycopy(template, 0, data, row * dimension, dimension);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Removes the subject's template; false if there was none. */
  public boolean remove(String subjectId) {
    lock.writeLock().lock();
    try {
      Integer row = rowOf.remove(subjectId);
      if (row == null) {
        return false;
      }
      int last = --rows;
      if (row != last) {
        // the last row fills the hole
        System.arraycopy(data, last * dimension, data, row * dimension, dimension);
        ids[row] = ids[last];
        rowOf.put(ids[row], row);
      }
      ids[last] = null;
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  public boolean contains(String subjectId) {
    lock.readLock().lock();
    try {
      return rowOf.containsKey(subjectId);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Subject ids in ascending order, those after {@code after} (null: from the first). */
  public List<String> idsAfter(String after, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("negative limit " + limit);
    }
    lock.readLock().lock();
    try {
      Map<String, Integer> tail = after == null ? rowOf : rowOf.tailMap(after, false);
      List<String> out = new ArrayList<>(Math.min(limit, tail.size()));
      for (String id : tail.keySet()) {
        if (out.size() == limit) {
          break;
        }
        out.add(id);
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The dot product of the probe with the subject's template; empty if the subject is absent. */
  public OptionalDouble score(String subjectId, float[] probe) {
    checkProbe(probe);
    lock.readLock().lock();
    try {
      Integer row = rowOf.get(subjectId);
      return row == null
          ? OptionalDouble.empty()
          : OptionalDouble.of(TemplateVectors.dot(data, row, probe));
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The {@code k} best matches of the probe (fewer if there are fewer subjects), best first. */
  public List<Match> topK(float[] probe, int k) {
    checkProbe(probe);
    if (k <= 0) {
      throw new IllegalArgumentException("k must be positive, got " + k);
    }
    lock.readLock().lock();
    try {
      int n = rows;
      int blocks = n < PARALLEL_ROWS ? 1 : Math.min(Runtime.getRuntime().availableProcessors(), 64);
      int per = (n + blocks - 1) / Math.max(blocks, 1);
      List<PriorityQueue<Match>> partial =
          IntStream.range(0, blocks)
              .parallel()
              .mapToObj(b -> best(probe, k, b * per, Math.min(n, (b + 1) * per)))
              .toList();
      List<Match> all = new ArrayList<>();
      for (PriorityQueue<Match> q : partial) {
        all.addAll(q);
      }
      all.sort(BEST_FIRST);
      return List.copyOf(all.subList(0, Math.min(k, all.size())));
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The k best rows in [from, to): a heap whose head is the worst of those kept. */
  private PriorityQueue<Match> best(float[] probe, int k, int from, int to) {
    PriorityQueue<Match> heap = new PriorityQueue<>(k + 1, BEST_FIRST.reversed());
    for (int r = from; r < to; r++) {
      float s = TemplateVectors.dot(data, r, probe);
      if (heap.size() < k) {
        heap.add(new Match(ids[r], s));
      } else {
        Match worst = heap.peek();
        if (s > worst.score() || (s == worst.score() && ids[r].compareTo(worst.subjectId()) < 0)) {
          heap.poll();
          heap.add(new Match(ids[r], s));
        }
      }
    }
    return heap;
  }

  private void checkProbe(float[] probe) {
    if (probe.length != dimension) {
      throw new IllegalArgumentException(
          "probe has " + probe.length + " components, the templates have " + dimension);
    }
  }

  /** Makes room for {@code capacity} templates at once (before loading a known number of them). */
  public void reserve(int capacity) {
    lock.writeLock().lock();
    try {
      ensureCapacity(capacity);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void ensureCapacity(int needed) {
    if (needed > maxRows) {
      throw new IllegalStateException(
          "the in-memory matrix holds at most " + maxRows + " templates of dimension " + dimension);
    }
    if (needed > ids.length) {
      int capacity = (int) Math.min(maxRows, Math.max(needed, ids.length + ids.length / 2L));
      ids = Arrays.copyOf(ids, capacity);
      data = Arrays.copyOf(data, capacity * dimension);
    }
  }
}
