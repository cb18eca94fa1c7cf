package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmargin.eval.protocol.KFoldAccuracy;
import io.qmargin.eval.protocol.LabeledScores;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LossComparisonTableTest {
  /**
   * Two folds of one target and one non-target pair each, every target above every non-target: each
   * fold's threshold from the other fold separates it, so the 2-fold accuracy is 100% +- 0%.
   */
  @Test
  void pairListProtocolsAddTheirAccuracyUnderTheTable() {
    double[] scores = {0.9, 0.1, 0.8, 0.2};
    boolean[] target = {true, false, true, false};
    KFoldAccuracy acc =
        KFoldAccuracy.compute("test pairs", scores, target, new int[] {0, 0, 1, 1}, 2);
    ValidationResult pairs =
        ValidationResult.of(
            "LFW pairsDevTest.txt (4 pairs)",
            LabeledScores.split("p", scores, target),
            List.of(1e-3),
            acc);
    ValidationResult all =
        ValidationResult.of(
            "all pairs",
            LabeledScores.split(
                "a",
                new double[] {0.9, 0.5, 0.4, 0.3, 0.2},
                new boolean[] {true, false, false, false, false}),
            List.of(1e-3),
            null);
    TrainingResult r = new TrainingResult(List.of(pairs, all), 2, 1, 100, 3, 10, 0, 5, false);
    List<LossComparison.SeedRun> runs =
        List.of(
            new LossComparison.SeedRun(
                1,
                List.of(
                    new LossComparison.Method(
                        "qmargin", "qmargin", Path.of("run"), r, new HeldOutTrials(all, null)))));
    String table =
        LossComparison.table(runs, SeedComparison.of(runs, List.of(1e-3), 10, 1), List.of(1e-3));
    assertThat(table)
        .endsWith(
            String.format(
                "qmargin    LFW pairsDevTest.txt (4 pairs): 2-fold accuracy 100.00%% +- 0.00%%%n"));
    // the primary protocol (all pairs) has 4 impostors: TAR at FAR 1e-3 is left out, said once
    assertThat(table.lines().toList().get(0)).doesNotContain("TAR@FAR");
    assertThat(table)
        .contains(
            String.format(
                "left out: TAR@FAR=1e-3 (needs >= 1,000 impostors); there are 4 impostors%n"));
    assertThat(table.lines()).hasSize(4);
  }

  /**
   * 100 impostors at 0.01, 0.02, ..., 1.00 and 10 targets, five of them at 0.935..0.995: at FAR
   * 1e-1 (at most 10 false accepts) the threshold 0.935 accepts 7 impostors and 5 targets, TAR 50%;
   * at 1e-2 (at most 1) only 0.995 passes with the impostor 1.00, TAR 10%. The columns follow the
   * recipe's FAR order, whatever order the bootstrap keeps its metrics in; a second, identical
   * method differs by 0, not significantly.
   */
  @Test
  void tarColumnsFollowTheRecipesFarsAndCarryTheDifferenceFromTheFirstMethod() {
    double[] targets = {0.995, 0.985, 0.975, 0.955, 0.935, 0.5, 0.4, 0.3, 0.2, 0.1};
    double[] impostors = new double[100];
    for (int i = 0; i < 100; i++) {
      impostors[i] = (i + 1) / 100.0;
    }
    List<Double> fars = List.of(1e-1, 1e-2);
    ValidationResult v =
        ValidationResult.of("p", LabeledScores.of("p", targets, impostors), fars, null);
    TrainingResult r = new TrainingResult(List.of(v), 2, 1, 100, 3, 10, 0, 5, false);
    List<LossComparison.SeedRun> runs =
        List.of(
            new LossComparison.SeedRun(
                1,
                List.of(
                    new LossComparison.Method(
                        "qmargin", "q", Path.of("a"), r, new HeldOutTrials(v, null)),
                    new LossComparison.Method(
                        "arcface", "a", Path.of("b"), r, new HeldOutTrials(v, null)))));
    String table = LossComparison.table(runs, SeedComparison.of(runs, fars, 20, 1), fars);
    List<String> lines = table.lines().toList();
    assertThat(lines.get(0)).matches("method +TAR@FAR=1e-1 % +TAR@FAR=1e-2 % +EER % .*");
    assertThat(lines.get(1)).matches("qmargin +50\\.00 +10\\.00 .*");
    assertThat(lines.get(2))
        .matches(
            "arcface +50\\.00 \\(\\+0\\.00 \\[\\+0\\.00, \\+0\\.00\\] ns\\) +10\\.00 \\(\\+0\\.00 .*");
    assertThat(table).contains("ns: not significant, the interval covers 0");
    assertThat(table).doesNotContain("left out");
  }

  /**
   * A FAR target is resolved from 1 / FAR impostors on: 1,000 impostors resolve 1e-3, 999 do not.
   */
  @Test
  void tarAtFarTextIsAPercentageOnlyWhereTheImpostorsResolveIt() {
    for (int impostors : new int[] {999, 1000}) {
      double[] scores = new double[impostors + 2];
      boolean[] target = new boolean[impostors + 2];
      scores[0] = 1.0;
      target[0] = true;
      scores[1] = -1.0; // a target below every impostor: TAR 50% at any FAR a threshold can reach
      target[1] = true;
      for (int i = 2; i < scores.length; i++) {
        scores[i] = (double) i / scores.length;
      }
      ValidationResult r =
          ValidationResult.of("p", LabeledScores.split("p", scores, target), List.of(1e-3), null);
      assertThat(r.resolves(1e-3)).isEqualTo(impostors >= 1000);
      assertThat(r.tarAtText(1e-3))
          .isEqualTo(impostors >= 1000 ? "50.00%" : "n/a (needs >= 1000 impostors)");
    }
  }
}
