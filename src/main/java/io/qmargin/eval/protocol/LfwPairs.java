package io.qmargin.eval.protocol;

import io.qmargin.UserInputException;
import io.qmargin.io.TextScanner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The LFW verification protocol file {@code pairs.txt}: a header {@code folds pairs_per_class} (10
 * 300 for View 2; a single number means one fold), then for each fold that many matched lines
 * {@code name n1 n2} followed by as many mismatched lines {@code name1 n1 name2 n2}. Image ids are
 * {@code name_%04d} (e.g. Aaron_Peirsol_0001), which is also how embedding keys are matched: a key
 * is reduced to its file name without directories and extension, so keys may be written as {@code
 * Aaron_Peirsol/Aaron_Peirsol_0001.jpg}.
 */
public record LfwPairs(
    Path file,
    int folds,
    String[] first,
    String[] second,
    boolean[] isTarget,
    int[] fold,
    long[] lines) {

  public int size() {
    return first.length;
  }

  public static LfwPairs read(Path file) {
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    List<Boolean> lab = new ArrayList<>();
    List<Long> lines = new ArrayList<>();
    int folds;
    int perClass;
    try (TextScanner sc = new TextScanner(file)) {
      if (!sc.next()) {
        throw new UserInputException(file + ": empty file");
      }
      if (sc.fieldCount() == 2) {
        folds = (int) sc.parseLong(0, "number of folds");
        perClass = (int) sc.parseLong(1, "pairs per class");
      } else if (sc.fieldCount() == 1) {
        folds = 1;
        perClass = (int) sc.parseLong(0, "pairs per class");
      } else {
        throw sc.error("expected the header 'folds pairs_per_class' (e.g. '10 300')");
      }
      if (folds < 1 || perClass < 1) {
        throw sc.error("folds and pairs per class must be positive");
      }
      while (sc.next()) {
        int k = a.size();
        boolean matchedExpected = (k % (2 * perClass)) < perClass;
        if (sc.fieldCount() == 3) {
          if (!matchedExpected) {
            throw sc.error(
                "a matched pair 'name n1 n2' where fold "
                    + (k / (2 * perClass) + 1)
                    + " expects a mismatched pair 'name1 n1 name2 n2'");
          }
          a.add(imageId(sc.field(0), (int) sc.parseLong(1, "image number")));
          b.add(imageId(sc.field(0), (int) sc.parseLong(2, "image number")));
          lab.add(true);
        } else if (sc.fieldCount() == 4) {
          if (matchedExpected) {
            throw sc.error(
                "a mismatched pair 'name1 n1 name2 n2' where fold "
                    + (k / (2 * perClass) + 1)
                    + " expects a matched pair 'name n1 n2'");
          }
          a.add(imageId(sc.field(0), (int) sc.parseLong(1, "image number")));
          b.add(imageId(sc.field(2), (int) sc.parseLong(3, "image number")));
          lab.add(false);
        } else {
          throw sc.error(
              "expected 'name n1 n2' or 'name1 n1 name2 n2', got " + sc.fieldCount() + " fields");
        }
        lines.add(sc.lineNumber());
      }
    }
    long expected = (long) folds * 2 * perClass;
    if (a.size() != expected) {
      throw new UserInputException(
          file
              + ": "
              + a.size()
              + " pairs, the header announces "
              + folds
              + " folds of 2 x "
              + perClass
              + " = "
              + expected);
    }
    int n = a.size();
    boolean[] t = new boolean[n];
    int[] f = new int[n];
    long[] ln = new long[n];
    for (int i = 0; i < n; i++) {
      t[i] = lab.get(i);
      f[i] = i / (2 * perClass);
      ln[i] = lines.get(i);
    }
    return new LfwPairs(file, folds, a.toArray(new String[0]), b.toArray(new String[0]), t, f, ln);
  }

  /** The identity of an LFW image id: {@code Aaron_Peirsol} for {@code Aaron_Peirsol_0001}. */
  public static String identity(String imageId) {
    int cut = imageId.lastIndexOf('_');
    if (cut <= 0) {
      throw new UserInputException("'" + imageId + "' is not an LFW image id (Name_0001)");
    }
    return imageId.substring(0, cut);
  }

  /** The overlap of the pairs' identities with a model's training identities. */
  public IdentityOverlap overlap(Set<String> trainingIdentities) {
    return IdentityOverlap.of(
        Arrays.stream(first).map(LfwPairs::identity).toList(),
        Arrays.stream(second).map(LfwPairs::identity).toList(),
        trainingIdentities);
  }

  /**
   * The fold of each pair for the k-fold accuracy: the file's own folds when it has several (View
   * 2's pairs.txt); for a one-fold file (View 1's pairsDevTest.txt, 500 + 500) ten folds of
   * consecutive pairs, the j-th of n matched pairs in fold floor(10 j / n) and likewise the
   * mismatched (as many folds as pairs per class when that is below ten). See {@link
   * #accuracyFolds}.
   */
  public int[] accuracyFold() {
    if (folds > 1) {
      return fold;
    }
    int k = accuracyFolds();
    int perClass = size() / 2;
    int[] f = new int[size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (int) ((long) (i % perClass) * k / perClass);
    }
    return f;
  }

  /** The number of folds of {@link #accuracyFold}: the file's, else min(10, pairs per class). */
  public int accuracyFolds() {
    return folds > 1 ? folds : Math.min(10, size() / 2);
  }

  static String imageId(String name, int number) {
    return String.format(Locale.ROOT, "%s_%04d", name, number);
  }

  /** The LFW id of an embedding key: its file name without directories and extension. */
  public static String normalizeKey(String key) {
    String k = key.replace('\\', '/');
    int slash = k.lastIndexOf('/');
    if (slash >= 0) {
      k = k.substring(slash + 1);
    }
    int dot = k.lastIndexOf('.');
    if (dot > 0) {
      k = k.substring(0, dot);
    }
    return k;
  }

  /** Cosine scores of the pairs; unknown ids are errors naming pairs.txt and the line. */
  public double[] score(Embeddings emb) {
    Map<String, Integer> byId = new HashMap<>(emb.size() * 2);
    for (int i = 0; i < emb.size(); i++) {
      Integer prev = byId.put(normalizeKey(emb.keys()[i]), i);
      if (prev != null) {
        throw new UserInputException(
            "keys '"
                + emb.keys()[prev]
                + "' and '"
                + emb.keys()[i]
                + "' both name LFW image "
                + normalizeKey(emb.keys()[i]));
      }
    }
    int[] e = new int[size()];
    int[] t = new int[size()];
    for (int i = 0; i < size(); i++) {
      e[i] = find(byId, first[i], i, emb);
      t[i] = find(byId, second[i], i, emb);
    }
    return CosineScoring.score(emb.normalized(), e, t);
  }

  private int find(Map<String, Integer> byId, String id, int i, Embeddings emb) {
    Integer r = byId.get(id);
    if (r == null) {
      throw new UserInputException(
          file
              + ":"
              + lines[i]
              + ": unknown image '"
              + id
              + "' (no key of "
              + emb.file()
              + " names it)");
    }
    return r;
  }
}
