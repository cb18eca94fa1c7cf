package io.qmargin.eval.protocol;

import io.qmargin.Progress;
import io.qmargin.io.TextScanner;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The IJB 1:1 pair list ({@code template_1 template_2 label} per line, label 1 = same identity),
 * resolved to template rows while reading so that an unknown template is reported with its line;
 * and the scoring of the pairs.
 *
 * <p>Scoring 15.7 million pairs of 512-d templates is about 16 GFLOP of dot products whose cost is
 * dominated by memory access, not arithmetic. The pairs are therefore visited in blocks of (1024
 * templates x 1024 templates), whose rows (4 MB at 512-d) stay in the last-level cache while the
 * block is scored, and within a block by first template, whose row then stays in L1; the visit
 * order is laid out once by a counting sort and its chunks are spread over all cores.
 */
public record TemplatePairs(int[] first, int[] second, boolean[] isTarget) {

  static final int BLOCK = 1024;

  public int size() {
    return first.length;
  }

  public static TemplatePairs read(
      Path file, TemplatePooling.Templates templates, Progress progress) {
    int[] a = new int[1 << 16];
    int[] b = new int[1 << 16];
    boolean[] l = new boolean[1 << 16];
    int n = 0;
    try (Progress p = progress.start("reading " + file.getFileName(), LabeledScores.sizeOf(file));
        TextScanner sc = new TextScanner(file, p)) {
      while (sc.next()) {
        sc.expectFields(3, "template_1 template_2 label");
        if (n == a.length) {
          a = Arrays.copyOf(a, n * 2);
          b = Arrays.copyOf(b, n * 2);
          l = Arrays.copyOf(l, n * 2);
        }
        a[n] = resolve(sc, 0, templates);
        b[n] = resolve(sc, 1, templates);
        l[n] = sc.label(2);
        n++;
      }
    }
    if (n == 0) {
      throw new io.qmargin.UserInputException(file + ": no pairs (empty file?)");
    }
    return new TemplatePairs(Arrays.copyOf(a, n), Arrays.copyOf(b, n), Arrays.copyOf(l, n));
  }

  private static int resolve(TextScanner sc, int field, TemplatePooling.Templates t) {
    long id = sc.parseLong(field, "template id");
    int r = t.row(id);
    if (r < 0) {
      throw sc.error(
          "unknown template " + id + " (no image of the face/template/media file belongs to it)");
    }
    return r;
  }

  /**
   * Cosine score (dot product of the normalised template features) of every pair, in list order.
   */
  public double[] score(TemplatePooling.Templates t, Progress progress) {
    int n = size();
    int d = t.dim();
    float[] f = t.features();
    int nb = (t.size() + BLOCK - 1) / BLOCK;
    // Visit order: block of (first, second), then first row within the block. A counting sort
    // lays the pairs out in that order once, so the scoring loop reads its rows' indices and
    // writes its scores sequentially (random access there costs more than the arithmetic).
    long buckets = (long) nb * nb * BLOCK;
    if (buckets > Integer.MAX_VALUE - 1) {
      throw new IllegalArgumentException("too many templates for the blocked scorer: " + t.size());
    }
    int[] start = new int[(int) buckets + 1];
    for (int i = 0; i < n; i++) {
      start[bucket(first[i], second[i], nb) + 1]++;
    }
    for (int b = 0; b < buckets; b++) {
      start[b + 1] += start[b];
    }
    int[] order = new int[n];
    int[] ra = new int[n];
    int[] rb = new int[n];
    for (int i = 0; i < n; i++) {
      int k = start[bucket(first[i], second[i], nb)]++;
      order[k] = i;
      ra[k] = first[i];
      rb[k] = second[i];
    }
    start = null;
    float[] sorted = new float[n];
    int chunk = 1 << 14;
    int chunks = (n + chunk - 1) / chunk;
    try (Progress p = progress.start("scoring pairs", n)) {
      IntStream.range(0, chunks)
          .parallel()
          .forEach(
              c -> {
                int end = Math.min(n, (c + 1) * chunk);
                for (int k = c * chunk; k < end; k++) {
                  sorted[k] = Vectors.dot(f, ra[k], f, rb[k], d);
                }
                p.step(end - c * chunk);
              });
    }
    double[] out = new double[n];
    for (int k = 0; k < n; k++) {
      out[order[k]] = sorted[k];
    }
    return out;
  }

  private static int bucket(int a, int b, int nb) {
    return ((a / BLOCK) * nb + (b / BLOCK)) * BLOCK + (a % BLOCK);
  }
}
