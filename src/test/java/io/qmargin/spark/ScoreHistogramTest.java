package io.qmargin.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ScoreHistogramTest {
  @Test
  void keysSortAsTheScoresAndGiveThemBack() {
    float[] ascending = {
      -1f, -0.5f, -Float.MIN_VALUE, 0f, Float.MIN_VALUE, 1e-30f, 0.25f, Math.nextUp(0.25f), 1f
    };
    for (int i = 0; i < ascending.length; i++) {
      assertThat(ScoreHistogram.score(ScoreHistogram.key(ascending[i]))).isEqualTo(ascending[i]);
      if (i > 0) {
        assertThat(ScoreHistogram.key(ascending[i]))
            .isGreaterThan(ScoreHistogram.key(ascending[i - 1]));
        assertThat(ScoreHistogram.bucket(ScoreHistogram.key(ascending[i])))
            .isGreaterThanOrEqualTo(ScoreHistogram.bucket(ScoreHistogram.key(ascending[i - 1])));
      }
    }
    // -0 is +0, as eval groups them
    assertThat(ScoreHistogram.key(-0.0f)).isEqualTo(ScoreHistogram.key(0.0f));
  }

  @Test
  void mergedSlicesCountEveryScoreOnceAsAMapWould() {
    Random r = new Random(1);
    TreeMap<Float, long[]> expected = new TreeMap<>();
    List<ScoreHistogram> parts = new ArrayList<>();
    for (int p = 0; p < 5; p++) {
      ScoreHistogram.Builder b = new ScoreHistogram.Builder();
      for (int i = 0; i < 3000; i++) {
        // few distinct values (many ties within and across parts), both signs, and +-0
        float s = (r.nextInt(401) - 200) / 64f;
        if (i % 500 == 0) {
          s = -0.0f;
        }
        boolean target = r.nextInt(4) == 0;
        b.add(s, target);
        expected.computeIfAbsent(s + 0.0f, k -> new long[2])[target ? 0 : 1]++;
      }
      parts.add(b.build());
    }
    // cut at arbitrary buckets, merge per range, read the ranges back in order
    int[] cuts = {0, ScoreHistogram.bucket(ScoreHistogram.key(-1.5f)), 0x8000, 0x8000 + 3, 0x10000};
    List<float[]> seen = new ArrayList<>();
    for (int c = 0; c + 1 < cuts.length; c++) {
      List<ScoreHistogram> pieces = new ArrayList<>();
      for (ScoreHistogram h : parts) {
        pieces.add(h.bucketSlice(cuts[c], cuts[c + 1]));
      }
      ScoreHistogram m = ScoreHistogram.merge(pieces);
      for (int i = 0; i < m.size(); i++) {
        seen.add(new float[] {ScoreHistogram.score(m.key(i)), m.targets(i), m.nontargets(i)});
      }
    }
    assertThat(seen).hasSize(expected.size());
    int i = 0;
    for (var e : expected.entrySet()) {
      assertThat(seen.get(i)).containsExactly(e.getKey(), e.getValue()[0], e.getValue()[1]);
      i++;
    }
  }

  @Test
  void rangesCutFromTheTopAtTheEntryLimit() {
    long[] buckets = new long[8];
    buckets[7] = 3;
    buckets[6] = 3;
    buckets[4] = 5;
    buckets[1] = 1;
    buckets[0] = 1;
    // from the top: {7} (3 entries), {6, 5} (3), {4, 3, 2} (5), {1, 0} (2)
    // 0}? 5 + 1 > 5
    assertThat(DistributedMetrics.rangeStarts(buckets, 5)).containsExactly(7, 5, 2, 0);
  }
}
