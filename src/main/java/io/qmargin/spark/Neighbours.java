package io.qmargin.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The k best-scoring rows of a set for one query row, best first; equal scores in order of id, so
 * that the result does not depend on how the set is partitioned.
 */
public final class Neighbours implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int k;
  private String[] ids = new String[0];
  private String[] labels = new String[0];
  private float[] scores = new float[0];

  public Neighbours(int k) {
    this.k = k;
  }

  public int size() {
    return ids.length;
  }

  public String id(int r) {
    return ids[r];
  }

  public String label(int r) {
    return labels[r];
  }

  public float score(int r) {
    return scores[r];
  }

  /** Whether (score, id) ranks before rank r. */
  private boolean before(float score, String id, int r) {
    return score > scores[r] || (score == scores[r] && id.compareTo(ids[r]) < 0);
  }

  /** Offers a row; kept if among the k best so far. */
  public void offer(String id, String label, float score) {
    int n = ids.length;
    if (n == k && !before(score, id, n - 1)) {
      return;
    }
    int at = n;
    while (at > 0 && before(score, id, at - 1)) {
      at--;
    }
    int m = Math.min(k, n + 1);
    String[] ni = new String[m];
    String[] nl = new String[m];
    float[] ns = new float[m];
    System.arraycopy(ids, 0, ni, 0, at);
    System.arraycopy(labels, 0, nl, 0, at);
    System.arraycopy(scores, 0, ns, 0, at);
    ni[at] = id;
    nl[at] = label;
    ns[at] = score;
    int rest = m - at - 1;
    System.arraycopy(ids, at, ni, at + 1, rest);
    System.arraycopy(labels, at, nl, at + 1, rest);
    System.arraycopy(scores, at, ns, at + 1, rest);
    ids = ni;
    labels = nl;
    scores = ns;
  }

  /** The k best of both. */
  public Neighbours merge(Neighbours o) {
    Neighbours out = new Neighbours(k);
    out.ids = Arrays.copyOf(ids, ids.length);
    out.labels = Arrays.copyOf(labels, labels.length);
    out.scores = Arrays.copyOf(scores, scores.length);
    for (int r = 0; r < o.size(); r++) {
      out.offer(o.ids[r], o.labels[r], o.scores[r]);
    }
    return out;
  }
}
