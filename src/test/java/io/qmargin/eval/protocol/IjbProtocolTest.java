package io.qmargin.eval.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IjbProtocolTest {
  @TempDir Path dir;

  /*
   * Two templates, 2-d features, detector scores in the 5-points file:
   *   img  tid mid  feature   flip     det
   *   a.jpg 7  100  (3, 4)    (0, 0)   0.5
   *   b.jpg 7  100  (0, 2)    (0, 0)   1.0
   *   c.jpg 7  101  (1, 0)    (1, 0)   1.0
   *   d.jpg 9  200  (0, -1)   (0, 0)   1.0
   * Normalised, detector-weighted: a -> (.6,.8)*.5 = (.3,.4); b -> (0,1); c -> (2,0)/2 = (1,0).
   * Media 100 = mean(a, b) = (.15, .7); media 101 = c = (1, 0); template 7 = (1.15, .7).
   * Template 9 = (0, -1). cos = -.7 / sqrt(1.15^2 + .7^2).
   * Without flip, normalisation or weighting: a = (3,4), b = (0,2) -> media 100 = (1.5, 3);
   * c = (1, 0); template 7 = (2.5, 3) -> cos with (0, -1) = -3 / sqrt(2.5^2 + 3^2).
   */
  @Test
  void poolingFollowsTheInsightfaceRecipe() throws IOException {
    Path ftm = dir.resolve("ijbc_face_tid_mid.txt");
    Files.writeString(ftm, "a.jpg 7 100\nb.jpg 7 100\nc.jpg 7 101\nd.jpg 9 200\n");
    Path lm = dir.resolve("ijbc_name_5pts_score.txt");
    Files.writeString(
        lm,
        "a.jpg 1 2 3 4 5 6 7 8 9 10 0.5\nb.jpg 1 2 3 4 5 6 7 8 9 10 1\nc.jpg 1 2 3 4 5 6 7 8 9 10 1.0\nd.jpg 1 2 3 4 5 6 7 8 9 10 1\n");
    Path pairs = dir.resolve("ijbc_template_pair_label.txt");
    Files.writeString(pairs, "7 9 0\n9 7 0\n7 7 1\n");
    IjbMeta meta = IjbMeta.readFaceTidMid(ftm, Progress.NONE);
    float[] det = meta.readDetectorScores(lm, Progress.NONE);
    assertThat(det).containsExactly(0.5f, 1f, 1f, 1f);
    float[] f = {3, 4, 0, 2, 1, 0, 0, -1};
    float[] flip = {0, 0, 0, 0, 1, 0, 0, 0};

    TemplatePooling.Templates t =
        TemplatePooling.pool(
            meta, f, flip, 2, det, new TemplatePooling.Options(false, true), Progress.NONE);
    assertThat(t.ids()).containsExactly(7, 9);
    TemplatePairs tp = TemplatePairs.read(pairs, t, Progress.NONE);
    assertThat(tp.isTarget()).containsExactly(false, false, true);
    double[] s = tp.score(t, Progress.NONE);
    double expected = -0.7 / Math.hypot(1.15, 0.7);
    assertThat(s[0]).isCloseTo(expected, within(1e-6));
    assertThat(s[1]).isCloseTo(expected, within(1e-6));
    assertThat(s[2]).isCloseTo(1.0, within(1e-6));

    TemplatePooling.Templates raw =
        TemplatePooling.pool(
            meta, f, null, 2, null, new TemplatePooling.Options(true, false), Progress.NONE);
    double[] s2 = TemplatePairs.read(pairs, raw, Progress.NONE).score(raw, Progress.NONE);
    assertThat(s2[0]).isCloseTo(-3 / Math.hypot(2.5, 3), within(1e-6));
  }

  @Test
  void badMetaFilesNameFileAndLine() throws IOException {
    Path ftm = dir.resolve("f.txt");
    Files.writeString(ftm, "a.jpg 7 100\nb.jpg 9 x\n");
    assertThatThrownBy(() -> IjbMeta.readFaceTidMid(ftm, Progress.NONE))
        .hasMessageEndingWith("f.txt:2: media id 'x' is not an integer");
    Files.writeString(ftm, "a.jpg 7 100\nb.jpg 9 101\n");
    IjbMeta meta = IjbMeta.readFaceTidMid(ftm, Progress.NONE);
    Path lm = dir.resolve("l.txt");
    Files.writeString(lm, "a.jpg 0.9\nc.jpg 0.8\n");
    assertThatThrownBy(() -> meta.readDetectorScores(lm, Progress.NONE))
        .hasMessageContaining("l.txt:2: image 'c.jpg' where");
    TemplatePooling.Templates t =
        TemplatePooling.pool(
            meta,
            new float[] {1, 0, 0, 1},
            null,
            2,
            null,
            new TemplatePooling.Options(false, false),
            Progress.NONE);
    Path pairs = dir.resolve("p.txt");
    Files.writeString(pairs, "7 9 0\n7 8 1\n");
    assertThatThrownBy(() -> TemplatePairs.read(pairs, t, Progress.NONE))
        .hasMessageEndingWith(
            "p.txt:2: unknown template 8 (no image of the face/template/media file belongs to it)");
  }

  @Test
  void blockedScoringEqualsDirectDotProducts() {
    SplittableRandom r = new SplittableRandom(5);
    int nt = 700;
    int d = 37;
    float[] feats = new float[nt * d];
    for (int i = 0; i < feats.length; i++) {
      feats[i] = (float) r.nextDouble(-1, 1);
    }
    long[] ids = new long[nt];
    for (int i = 0; i < nt; i++) {
      ids[i] = i;
    }
    TemplatePooling.Templates t = new TemplatePooling.Templates(ids, feats, d);
    int n = 20000;
    int[] a = new int[n];
    int[] b = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextInt(nt);
      b[i] = r.nextInt(nt);
    }
    double[] s = new TemplatePairs(a, b, new boolean[n]).score(t, Progress.NONE);
    for (int i = 0; i < n; i++) {
      double dot = 0;
      for (int k = 0; k < d; k++) {
        dot += (double) feats[a[i] * d + k] * feats[b[i] * d + k];
      }
      assertThat(s[i]).isCloseTo(dot, within(1e-4));
    }
  }
}
