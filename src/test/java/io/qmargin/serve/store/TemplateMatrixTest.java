package io.qmargin.serve.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TemplateMatrixTest {

  /** The k best by a double-precision dot product, sorted by score then id: the reference. */
  private static List<String> bruteForce(Map<String, float[]> rows, float[] probe, int k) {
    List<Map.Entry<String, Double>> all = new ArrayList<>();
    for (Map.Entry<String, float[]> e : rows.entrySet()) {
      double s = 0;
      for (int i = 0; i < probe.length; i++) {
        s += (double) e.getValue()[i] * probe[i];
      }
      all.add(Map.entry(e.getKey(), s));
    }
    all.sort(
        Comparator.comparing((Map.Entry<String, Double> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey));
    return all.subList(0, Math.min(k, all.size())).stream().map(Map.Entry::getKey).toList();
  }

  @Test
  void parallelSearchOverManyRowsMatchesABruteForceRanking() {
    int d = 12;
    Random rnd = new Random(3);
    TemplateMatrix m = new TemplateMatrix(d);
    Map<String, float[]> rows = new HashMap<>();
    // enough rows for the multi-threaded path; some removed, some replaced
    for (int i = 0; i < 40_000; i++) {
      float[] t = TemplateVectors.normalized(TemplateStoreContract.random(rnd, d), d);
      rows.put("s" + i, t);
      m.put("s" + i, t);
    }
    for (int i = 0; i < 40_000; i += 3) {
      rows.remove("s" + i);
      assertThat(m.remove("s" + i)).isTrue();
    }
    for (int i = 1; i < 40_000; i += 5) {
      float[] t = TemplateVectors.normalized(TemplateStoreContract.random(rnd, d), d);
      rows.put("s" + i, t);
      m.put("s" + i, t);
    }
    assertThat(m.size()).isEqualTo(rows.size());
    for (int q = 0; q < 5; q++) {
      float[] probe = TemplateVectors.normalized(TemplateStoreContract.random(rnd, d), d);
      List<Match> top = m.topK(probe, 25);
      assertThat(top).extracting(Match::subjectId).isEqualTo(bruteForce(rows, probe, 25));
      for (Match x : top) {
        assertThat(x.score())
            .isCloseTo(TemplateStoreContract.cos(rows.get(x.subjectId()), probe), within(1e-5))
            .isEqualTo(m.score(x.subjectId(), probe).getAsDouble());
      }
    }
  }

  @Test
  void tiesAreOrderedByIdWhateverTheInsertionOrder() {
    TemplateMatrix m = new TemplateMatrix(2);
    for (String id : List.of("zed", "amy", "kim", "bob")) {
      m.put(id, new float[] {0.6f, 0.8f});
    }
    m.put("top", new float[] {1, 0});
    assertThat(m.topK(new float[] {1, 0}, 4))
        .extracting(Match::subjectId)
        .containsExactly("top", "amy", "bob", "kim");
    assertThat(m.topK(new float[] {1, 0}, 10)).hasSize(5);
    assertThat(m.idsAfter("bob", 2)).containsExactly("kim", "top");
  }

  @Test
  void removingFillsTheHoleWithTheLastRow() {
    TemplateMatrix m = new TemplateMatrix(2);
    m.put("a", new float[] {1, 0});
    m.put("b", new float[] {0, 1});
    m.put("c", new float[] {-1, 0});
    assertThat(m.remove("a")).isTrue();
    assertThat(m.remove("a")).isFalse();
    assertThat(m.score("c", new float[] {-1, 0}).getAsDouble()).isEqualTo(1.0);
    assertThat(m.score("b", new float[] {0, 1}).getAsDouble()).isEqualTo(1.0);
    assertThat(m.score("a", new float[] {1, 0})).isEmpty();
    assertThat(m.topK(new float[] {-1, 0}, 1)).containsExactly(new Match("c", 1.0));
  }

  @Test
  void wrongShapesAreRefused() {
    TemplateMatrix m = new TemplateMatrix(3);
    assertThatThrownBy(() -> m.put("a", new float[2]))
        .hasMessage("template has 2 components, expected 3");
    assertThatThrownBy(() -> m.topK(new float[4], 1))
        .hasMessage("probe has 4 components, the templates have 3");
    assertThatThrownBy(() -> m.topK(new float[3], 0)).hasMessage("k must be positive, got 0");
  }
}
