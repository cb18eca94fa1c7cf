package io.qmargin.eval.metrics;

import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.io.FileErrors;
import io.qmargin.io.TextScanner;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.Stream;

/**
 * Exact metrics of score files larger than memory, by external sorting: the scores are read in
 * chunks, each chunk's target and non-target scores are sorted and written to temporary run files
 * (in decreasing order), and the runs are merged into the same {@link OperatingPointSweep} as the
 * in-memory path. The result is identical to {@link VerificationMetrics#compute}; memory is one
 * chunk plus a read buffer per run, both sized from the heap ({@link #runScores}, and the merge
 * buffers share an eighth of the heap), so that it works at any heap size.
 */
public final class StreamingMetrics {
  private StreamingMetrics() {}

  /**
   * Scores per sorted run for a heap of {@code maxHeapBytes}: a run and its sort take under a sixth
   * of it.
   */
  public static int runScores(long maxHeapBytes) {
    // 8 bytes a score, twice for the arrays' spare capacity, once more for the sort's work space
    long scores = maxHeapBytes / 128;
    return (int) Math.max(1 << 16, Math.min(50_000_000, scores));
  }

  /**
   * {@link #computeFromScoreFile(Path, MetricOptions, int, Progress)} with runs sized from this
   * JVM's heap.
   */
  public static VerificationMetrics computeFromScoreFile(
      Path file, MetricOptions options, Progress progress) throws IOException {
    return computeFromScoreFile(
        file, options, runScores(Runtime.getRuntime().maxMemory()), progress);
  }

  /** Metrics of a {@code score label} file, sorting runs of at most {@code chunkScores} scores. */
  public static VerificationMetrics computeFromScoreFile(
      Path file, MetricOptions options, int chunkScores, Progress progress) throws IOException {
    if (chunkScores < 1) {
      throw new IllegalArgumentException("chunk size must be positive");
    }
    Path tmp = Files.createTempDirectory("qmargin-runs-");
    List<Path> targetRuns = new ArrayList<>();
    List<Path> nontargetRuns = new ArrayList<>();
    long targets = 0;
    long nontargets = 0;
    try {
      double[] tg = new double[Math.min(chunkScores, 1 << 20)];
      double[] nt = new double[Math.min(chunkScores, 1 << 20)];
      int nt1 = 0;
      int nn1 = 0;
      long size;
      try {
        size = Files.size(file);
      } catch (FileSystemException e) {
        throw FileErrors.named(e); // a missing or unreadable score file, named
      }
      try (Progress p = progress.start("reading " + file.getFileName(), size);
          TextScanner sc = new TextScanner(file, p)) {
        io.qmargin.eval.protocol.ScoreFileLayout layout = null;
        while (sc.next()) {
          if (layout == null) {
            layout = io.qmargin.eval.protocol.ScoreFileLayout.detect(sc);
          }
          double s = layout.score(sc) + 0.0;
          if (layout.label(sc)) {
            if (nt1 == tg.length) {
              tg = Arrays.copyOf(tg, Math.min(chunkScores, tg.length * 2));
            }
            tg[nt1++] = s;
            targets++;
          } else {
            if (nn1 == nt.length) {
              nt = Arrays.copyOf(nt, Math.min(chunkScores, nt.length * 2));
            }
            nt[nn1++] = s;
            nontargets++;
          }
          if (nt1 + nn1 >= chunkScores) {
            writeRun(tg, nt1, tmp, targetRuns);
            writeRun(nt, nn1, tmp, nontargetRuns);
            nt1 = 0;
            nn1 = 0;
          }
        }
      }
      writeRun(tg, nt1, tmp, targetRuns);
      writeRun(nt, nn1, tmp, nontargetRuns);
      tg = null;
      nt = null;
      if (targets == 0 || nontargets == 0) {
        throw new UserInputException(
            file
                + ": "
                + (targets + nontargets == 0
                    ? "no scores (empty file?)"
                    : targets == 0
                        ? "only non-target trials, no target trial: the metrics need both"
                        : "only target trials, no non-target trial: the metrics need both"));
      }
      OperatingPointSweep sweep = new OperatingPointSweep(targets, nontargets, options);
      int buffer =
          mergeBuffer(Runtime.getRuntime().maxMemory(), targetRuns.size() + nontargetRuns.size());
      try (Merge a = new Merge(targetRuns, buffer);
          Merge b = new Merge(nontargetRuns, buffer)) {
        while (a.hasNext() || b.hasNext()) {
          double t =
              Math.max(
                  a.hasNext() ? a.peek() : Double.NEGATIVE_INFINITY,
                  b.hasNext() ? b.peek() : Double.NEGATIVE_INFINITY);
          long dt = 0;
          long dn = 0;
          while (a.hasNext() && a.peek() == t) {
            a.next();
            dt++;
          }
          while (b.hasNext() && b.peek() == t) {
            b.next();
            dn++;
          }
          sweep.add(t, dt, dn);
        }
      }
      return sweep.finish();
    } finally {
      try (Stream<Path> s = Files.list(tmp)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(tmp);
    }
  }

  /** Read buffer per run: the runs share an eighth of the heap, 4 KiB to 1 MiB each. */
  static int mergeBuffer(long maxHeapBytes, int runs) {
    long each = maxHeapBytes / 8 / Math.max(1, runs);
    return (int) Math.max(4096, Math.min(1 << 20, each));
  }

  private static void writeRun(double[] a, int n, Path dir, List<Path> runs) throws IOException {
    if (n == 0) {
      return;
    }
    Arrays.parallelSort(a, 0, n);
    Path f = Files.createTempFile(dir, "run", ".bin");
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(f), 1 << 20))) {
      for (int i = n - 1; i >= 0; i--) {
        out.writeDouble(a[i]);
      }
    }
    runs.add(f);
  }

  /** k-way merge of runs sorted in decreasing order. */
  private static final class Merge implements AutoCloseable {
    private final DataInputStream[] in;
    private final double[] head;
    private final PriorityQueue<Integer> queue;

    Merge(List<Path> runs, int buffer) throws IOException {
      in = new DataInputStream[runs.size()];
      head = new double[runs.size()];
      queue =
          new PriorityQueue<>(
              Math.max(1, runs.size()),
              Comparator.comparingDouble((Integer k) -> head[k]).reversed());
      for (int k = 0; k < in.length; k++) {
        in[k] =
            new DataInputStream(new BufferedInputStream(Files.newInputStream(runs.get(k)), buffer));
        advance(k);
      }
    }

    private void advance(int k) {
      try {
        head[k] = in[k].readDouble();
        queue.add(k);
      } catch (EOFException e) {
        // run exhausted
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    boolean hasNext() {
      return !queue.isEmpty();
    }

    double peek() {
      return head[queue.peek()];
    }

    double next() {
      int k = queue.poll();
      double v = head[k];
      advance(k);
      return v;
    }

    @Override
    public void close() throws IOException {
      for (DataInputStream d : in) {
        if (d != null) {
          d.close();
        }
      }
    }
  }
}
