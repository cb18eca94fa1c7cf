package io.qmargin.eval.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmargin.data.face.LfwFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identity overlap of pair lists with training identities, and the folds of the LFW accuracy. */
class LfwOverlapTest {
  @TempDir Path dir;

  @Test
  void overlapCountsPairsAndIdentities() {
    // pairs (a, a), (a, b), (c, d), (d, d) against training {a, d, z}: pairs 1, 2, 3, 4 all involve
    // a or d;
    // against {b}: only pair 2. Identities in the pairs: a, b, c, d.
    List<String> first = List.of("a", "a", "c", "d");
    List<String> second = List.of("a", "b", "d", "d");
    assertThat(IdentityOverlap.of(first, second, Set.of("a", "d", "z")))
        .isEqualTo(new IdentityOverlap(4, 4, 4, 2));
    IdentityOverlap b = IdentityOverlap.of(first, second, Set.of("b"));
    assertThat(b).isEqualTo(new IdentityOverlap(4, 1, 4, 1));
    assertThat(b.warning("p.txt", "this run trains on"))
        .isEqualTo(
            "warning: 1 of the 4 pairs of p.txt (1 of its 4 identities) involve identities this run trains on: its figures are not held-out");
    assertThat(IdentityOverlap.of(first, second, Set.of("x")).any()).isFalse();
  }

  @Test
  void oneFoldFileGetsTenFoldsOfConsecutivePairs() throws IOException {
    // View 1 layout: one number (pairs per class), 20 matched then 20 mismatched pairs
    StringBuilder sb = new StringBuilder("20\n");
    for (int i = 1; i <= 20; i++) {
      sb.append("M").append(i).append(" 1 2\n");
    }
    for (int i = 1; i <= 20; i++) {
      sb.append("M").append(i).append(" 1 N").append(i).append(" 1\n");
    }
    Path f = dir.resolve("pairsDevTest.txt");
    Files.writeString(f, sb.toString());
    LfwPairs p = LfwPairs.read(f);
    assertThat(p.folds()).isEqualTo(1);
    assertThat(p.accuracyFolds()).isEqualTo(10);
    int[] fold = p.accuracyFold();
    for (int i = 0; i < 20; i++) {
      assertThat(fold[i]).as("matched %d", i).isEqualTo(i / 2);
      assertThat(fold[20 + i]).as("mismatched %d", i).isEqualTo(i / 2);
    }
    assertThat(LfwPairs.identity("Aaron_Peirsol_0001")).isEqualTo("Aaron_Peirsol");
    assertThat(p.overlap(Set.of("N3")).pairsWithTrained()).isEqualTo(1);
  }

  @Test
  void kFoldHeadlineInPercent() {
    KFoldAccuracy a = new KFoldAccuracy(0.99123, 0.0034, new double[10], new double[10]);
    assertThat(a.headline()).isEqualTo("10-fold accuracy 99.12% +- 0.34%");
  }

  /**
   * The real LFW protocol files: View 2's pairs.txt involves peopleDevTrain people in 4,853 of its
   * 6,000 pairs (2,985 of its 4,281 people; counted independently with a script over the files);
   * View 1's pairsDevTest.txt involves none (the documented recipe evaluates on it).
   */
  @Test
  void realLfwTrainingPeopleAndTestPairs() {
    Path lfwDir = Path.of("..", "shared", "data", "lfw").toAbsolutePath().normalize();
    Assumptions.assumeTrue(
        Files.isRegularFile(lfwDir.resolve("peopleDevTrain.txt")),
        "../shared/data/lfw not present");
    Set<String> train = Set.copyOf(LfwFolder.readPeople(lfwDir.resolve("peopleDevTrain.txt")));
    IdentityOverlap view2 = LfwPairs.read(lfwDir.resolve("pairs.txt")).overlap(train);
    assertThat(view2).isEqualTo(new IdentityOverlap(6000, 4853, 4281, 2985));
    IdentityOverlap view1 = LfwPairs.read(lfwDir.resolve("pairsDevTest.txt")).overlap(train);
    assertThat(view1.pairs()).isEqualTo(1000);
    assertThat(view1.any()).isFalse();
  }
}
