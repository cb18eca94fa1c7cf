package io.qmargin.eval.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AllPairsTest {

  @Test
  void everyUnorderedPairOnceSplitByLabel() {
    // four 2-d embeddings (not normalised), labels a a b b
    float[] e = {1, 0, 2, 2, 0, 3, -1, 0};
    LabeledScores s = AllPairs.score("t", e, 2, new int[] {0, 0, 1, 1});
    double r = Math.sqrt(0.5);
    // targets: (0,1) cos 45°, (2,3) cos 90°
    double[] tg = s.targets().clone();
    Arrays.sort(tg);
    assertThat(tg).containsExactly(new double[] {0, r}, within(1e-6));
    // non-targets: (0,2) 0, (0,3) -1, (1,2) r, (1,3) -r
    double[] nt = s.nontargets().clone();
    Arrays.sort(nt);
    assertThat(nt).containsExactly(new double[] {-1, -r, 0, r}, within(1e-6));
    assertThat(e[2]).isEqualTo(2); // input untouched
  }
}
