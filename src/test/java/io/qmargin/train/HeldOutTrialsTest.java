package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import io.qmargin.eval.compare.PairedBootstrap;
import io.qmargin.eval.compare.PairedScoreFiles;
import io.qmargin.eval.protocol.AllPairs;
import io.qmargin.eval.protocol.LabeledScores;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeldOutTrialsTest {
  // samples 0..3 of people 7, 3, 7, 3; 2-d embeddings at angles 0, 20, 50 and 120 degrees, so
  // that the cosine of pair (i, j) is cos(angle_j - angle_i), distinct for every pair
  private static final int[] LABELS = {7, 3, 7, 3};
  private static final double[] DEGREES = {0, 20, 50, 120};

  private static double cos(int i, int j) {
    return Math.cos(Math.toRadians(DEGREES[j] - DEGREES[i]));
  }

  private static LabeledScores allPairs() {
    float[] e = new float[8];
    for (int i = 0; i < 4; i++) {
      e[2 * i] = (float) Math.cos(Math.toRadians(DEGREES[i]));
      e[2 * i + 1] = (float) Math.sin(Math.toRadians(DEGREES[i]));
    }
    return AllPairs.score("held out", e, 2, LABELS);
  }

  @Test
  void subjectsFollowTheTrialOrderOfAllPairs() {
    // pairs (i < j): (0,1) n, (0,2) t, (0,3) n, (1,2) n, (1,3) t, (2,3) n; people 7 -> 0, 3 -> 1
    LabeledScores s = allPairs();
    assertThat(s.targets()[0]).isCloseTo(cos(0, 2), org.assertj.core.data.Offset.offset(1e-6));
    assertThat(s.targets()[1]).isCloseTo(cos(1, 3), org.assertj.core.data.Offset.offset(1e-6));
    int[][] n = {{0, 1}, {0, 3}, {1, 2}, {2, 3}};
    for (int k = 0; k < n.length; k++) {
      assertThat(s.nontargets()[k])
          .isCloseTo(cos(n[k][0], n[k][1]), org.assertj.core.data.Offset.offset(1e-6));
    }
    int[][] sides = HeldOutTrials.allPairsSubjects(LABELS);
    assertThat(sides[0]).containsExactly(0, 1, 0, 0, 1, 0);
    assertThat(sides[1]).containsExactly(0, 1, 1, 1, 0, 1);
  }

  @Test
  void writtenTrialsReadBackAsTheSameProtocolAndPairWithSubjects(@TempDir Path dir)
      throws Exception {
    ValidationResult r = ValidationResult.of("held out", allPairs(), List.of(0.5), null);
    new HeldOutTrials(r, LABELS).write(dir);
    HeldOutTrials back = HeldOutTrials.read(dir, List.of(0.5));
    assertThat(back.labels()).containsExactly(LABELS);
    assertThat(back.result().protocol()).isEqualTo("held out");
    assertThat(back.result().scores().targets()).containsExactly(r.scores().targets());
    assertThat(back.result().scores().nontargets()).containsExactly(r.scores().nontargets());
    assertThat(back.result().metrics().eer()).isEqualTo(r.metrics().eer());
    PairedScoreFiles.Paired p = HeldOutTrials.paired(List.of(back, back), new String[] {"a", "b"});
    assertThat(p.unit()).isEqualTo(PairedBootstrap.Unit.SUBJECTS);
    assertThat(p.trials().subjectCount()).isEqualTo(2);
    assertThat(p.trials().isTarget()).containsExactly(true, true, false, false, false, false);
    // a protocol that is not all pairs has no subjects: trials are resampled
    PairedScoreFiles.Paired plain =
        HeldOutTrials.paired(
            List.of(new HeldOutTrials(r, null), new HeldOutTrials(r, null)),
            new String[] {"a", "b"});
    assertThat(plain.unit()).isEqualTo(PairedBootstrap.Unit.TRIALS);
  }

  @Test
  void aFinishedRunWithoutHeldOutScoresIsNamed(@TempDir Path dir) {
    assertThatThrownBy(() -> HeldOutTrials.read(dir, List.of(1e-3)))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            dir
                + " is finished but has no heldout.json (its held-out scores were never written):"
                + " delete the folder to train it again");
  }
}
