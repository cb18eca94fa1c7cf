package io.qmargin.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.Progress;
import io.qmargin.eval.protocol.LabeledScores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamingMetricsTest {
  @TempDir Path dir;

  @Test
  void externalSortGivesTheSameMetricsAsInMemory() throws Exception {
    SplittableRandom r = new SplittableRandom(9);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      boolean t = r.nextInt(10) == 0;
      double s = Math.rint((t ? 1.5 : 0) + r.nextDouble() * 3 * 100) / 100; // coarse: many ties
      sb.append(s).append(' ').append(t ? 1 : 0).append('\n');
    }
    Path f = dir.resolve("s.txt");
    Files.writeString(f, sb.toString());
    MetricOptions o = MetricOptions.defaults().withCurveResolution(0);
    LabeledScores ls = LabeledScores.readScoreFile(f, Progress.NONE);
    VerificationMetrics mem = VerificationMetrics.compute(ls.targets(), ls.nontargets(), o);
    VerificationMetrics str = StreamingMetrics.computeFromScoreFile(f, o, 333, Progress.NONE);
    assertThat(str.eer()).isEqualTo(mem.eer());
    assertThat(str.eerRocch()).isEqualTo(mem.eerRocch());
    assertThat(str.auc()).isEqualTo(mem.auc());
    assertThat(str.tarAtFar()).isEqualTo(mem.tarAtFar());
    assertThat(str.tarAtFarNearest()).isEqualTo(mem.tarAtFarNearest());
    assertThat(str.minDcf()).isEqualTo(mem.minDcf());
    assertThat(str.roc().thresholds()).containsExactly(mem.roc().thresholds());
    try (var s = Files.list(dir)) {
      assertThat(s.count())
          .isEqualTo(1); // no temporary run left behind (they live elsewhere anyway)
    }
  }

  @Test
  void rejectsOneSidedFiles() throws Exception {
    Path f = dir.resolve("t.txt");
    Files.writeString(f, "0.1 1\n0.2 1\n");
    assertThatThrownBy(
            () ->
                StreamingMetrics.computeFromScoreFile(
                    f, MetricOptions.defaults(), 10, Progress.NONE))
        .hasMessageContaining("t.txt: only target trials");
  }
}
