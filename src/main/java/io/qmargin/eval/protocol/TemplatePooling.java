package io.qmargin.eval.protocol;

import io.qmargin.Progress;
import io.qmargin.UserInputException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Template features of the IJB-B / IJB-C 1:1 protocol, as insightface's eval_ijbc.py computes them:
 *
 * <ol>
 *   <li>image feature f = f(img) + f(flipped img) when flip features are given, else f(img);
 *   <li>unless the norm is kept, f = f / |f|;
 *   <li>with detector weighting, f = f * detector_score;
 *   <li>images of the same media within a template are averaged; the media features are summed;
 *   <li>the template feature is L2-normalised, so template scores are cosines (dot products).
 * </ol>
 *
 * Accumulation is in double; templates are pooled in parallel.
 */
public final class TemplatePooling {
  private TemplatePooling() {}

  /** How image features become template features. */
  public record Options(boolean keepNorm, boolean detectorWeighting) {}

  /**
   * Pooled, L2-normalised template features.
   *
   * @param ids template ids, ascending; row k of {@code features} belongs to ids[k]
   */
  public record Templates(long[] ids, float[] features, int dim) {
    public int size() {
      return ids.length;
    }

    /** Row of a template id, or -1. */
    public int row(long id) {
      int k = Arrays.binarySearch(ids, id);
      return k >= 0 ? k : -1;
    }
  }

  /**
   * Pools image features into template features.
   *
   * @param features N x dim image features, row i is image i of the meta file
   * @param flipFeatures features of the flipped images (same layout), or null
   * @param detectorScores per-image detector scores, required when {@code
   *     options.detectorWeighting()}
   */
  public static Templates pool(
      IjbMeta meta,
      float[] features,
      float[] flipFeatures,
      int dim,
      float[] detectorScores,
      Options options,
      Progress progress) {
    int n = meta.size();
    if ((long) n * dim != features.length) {
      throw new UserInputException(
          meta.file()
              + ": "
              + n
              + " images, but the features hold "
              + (features.length / Math.max(1, dim))
              + " rows");
    }
    if (flipFeatures != null && flipFeatures.length != features.length) {
      throw new UserInputException("flip features and features differ in shape");
    }
    if (options.detectorWeighting() && detectorScores == null) {
      throw new UserInputException(
          "detector weighting needs the detector scores (the *_name_5pts_score.txt file)");
    }
    long[] ids = Arrays.stream(meta.templateIds()).sorted().distinct().toArray();
    int nt = ids.length;
    int[] tIdx = new int[n];
    for (int i = 0; i < n; i++) {
      tIdx[i] = Arrays.binarySearch(ids, meta.templateIds()[i]);
    }
    // Bucket images by template (counting sort), then order each bucket by media id.
    int[] start = new int[nt + 1];
    for (int t : tIdx) {
      start[t + 1]++;
    }
    for (int t = 0; t < nt; t++) {
      start[t + 1] += start[t];
    }
    int[] order = new int[n];
    int[] fill = Arrays.copyOf(start, nt);
    for (int i = 0; i < n; i++) {
      order[fill[tIdx[i]]++] = i;
    }
    long[] mids = meta.mediaIds();
    float[] out = new float[nt * dim];
    try (Progress p = progress.start("pooling templates", nt)) {
      IntStream.range(0, nt)
          .parallel()
          .forEach(
              t -> {
                int s = start[t];
                int e = start[t + 1];
                sortByMedia(order, s, e, mids);
                double[] templ = new double[dim];
                double[] media = new double[dim];
                double[] img = new double[dim];
                int i = s;
                while (i < e) {
                  long m = mids[order[i]];
                  Arrays.fill(media, 0);
                  int count = 0;
                  while (i < e && mids[order[i]] == m) {
                    imageFeature(
                        order[i], features, flipFeatures, dim, detectorScores, options, img, meta);
                    for (int k = 0; k < dim; k++) {
                      media[k] += img[k];
                    }
                    count++;
                    i++;
                  }
                  for (int k = 0; k < dim; k++) {
                    templ[k] += media[k] / count;
                  }
                }
                double ss = 0;
                for (int k = 0; k < dim; k++) {
                  ss += templ[k] * templ[k];
                }
                if (!(ss > 0) || !Double.isFinite(ss)) {
                  throw new UserInputException(
                      "template "
                          + ids[t]
                          + " has a zero (or non-finite) pooled feature: its scores are undefined (all detector scores 0?)");
                }
                double inv = 1 / Math.sqrt(ss);
                for (int k = 0; k < dim; k++) {
                  out[t * dim + k] = (float) (templ[k] * inv);
                }
                p.step(1);
              });
    }
    return new Templates(ids, out, dim);
  }

  private static void imageFeature(
      int i, float[] f, float[] flip, int dim, float[] det, Options o, double[] img, IjbMeta meta) {
    int off = i * dim;
    double ss = 0;
    for (int k = 0; k < dim; k++) {
      double v = f[off + k];
      if (flip != null) {
        v += flip[off + k];
      }
      img[k] = v;
      ss += v * v;
    }
    if (!o.keepNorm()) {
      if (ss == 0) {
        throw new UserInputException(
            "image "
                + meta.images()[i]
                + " (row "
                + i
                + ") has a zero feature: it cannot be normalised");
      }
      double inv = 1 / Math.sqrt(ss);
      for (int k = 0; k < dim; k++) {
        img[k] *= inv;
      }
    }
    if (o.detectorWeighting()) {
      double w = det[i];
      for (int k = 0; k < dim; k++) {
        img[k] *= w;
      }
    }
  }

  /** Insertion sort for small runs, a boxed sort for large ones: templates hold tens of images. */
  private static void sortByMedia(int[] order, int s, int e, long[] mids) {
    if (e - s <= 32) {
      for (int a = s + 1; a < e; a++) {
        int v = order[a];
        int b = a - 1;
        while (b >= s
            && (mids[order[b]] > mids[v] || (mids[order[b]] == mids[v] && order[b] > v))) {
          order[b + 1] = order[b];
          b--;
        }
        order[b + 1] = v;
      }
      return;
    }
    Integer[] box = new Integer[e - s];
    for (int a = s; a < e; a++) {
      box[a - s] = order[a];
    }
    Arrays.sort(
        box, (x, y) -> mids[x] != mids[y] ? Long.compare(mids[x], mids[y]) : Integer.compare(x, y));
    for (int a = s; a < e; a++) {
      order[a] = box[a - s];
    }
  }

  /** Row index of each image name, for features stored in another order than the meta file. */
  public static int[] rowsByName(IjbMeta meta, String[] keys, String keysSource) {
    Map<String, Integer> byName = new HashMap<>(keys.length * 2);
    for (int i = 0; i < keys.length; i++) {
      byName.put(keys[i], i);
    }
    int[] rows = new int[meta.size()];
    for (int i = 0; i < rows.length; i++) {
      Integer r = byName.get(meta.images()[i]);
      if (r == null) {
        throw new UserInputException(
            meta.file()
                + ":"
                + (i + 1)
                + ": image '"
                + meta.images()[i]
                + "' is not in "
                + keysSource);
      }
      rows[i] = r;
    }
    return rows;
  }
}
