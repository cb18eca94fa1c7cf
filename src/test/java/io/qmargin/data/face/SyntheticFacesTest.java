package io.qmargin.data.face;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SyntheticFacesTest {

  private static double distance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return Math.sqrt(s / a.length);
  }

  @Test
  void deterministicFromSeedIdentityAndSample() {
    SyntheticFaces a = new SyntheticFaces(50, 4, Preprocessing.insightface().withSeed(7));
    SyntheticFaces b = new SyntheticFaces(50, 4, Preprocessing.insightface().withSeed(7));
    SyntheticFaces c = new SyntheticFaces(50, 4, Preprocessing.insightface().withSeed(8));
    assertThat(a.size()).isEqualTo(200);
    assertThat(a.numClasses()).isEqualTo(50);
    assertThat(a.label(9)).isEqualTo(2);
    FaceImage x = a.load(9, 3);
    assertThat(x.chw()).isEqualTo(b.load(9, 3).chw());
    assertThat(x.chw()).isNotEqualTo(c.load(9, 3).chw());
    assertThat(x.height()).isEqualTo(112);
    assertThat(x.label()).isEqualTo(2);
    for (float v : x.chw()) {
      assertThat(v).isBetween(-1f, 1f);
    }
    // The view is fixed per sample; epochs differ only by the flip.
    float[] plain = a.render(2, 1, false);
    float[] flipped = a.render(2, 1, true);
    for (long epoch = 0; epoch < 6; epoch++) {
      assertThat(a.load(9, epoch).chw()).isIn(plain, flipped);
    }
    // Scales to many identities without state: identity 10^6 renders like any other.
    assertThat(
            new SyntheticFaces(2_000_000, 2, Preprocessing.insightface())
                .load(3_999_999, 0)
                .label())
        .isEqualTo(1_999_999);
  }

  @Test
  void viewsOfOneIdentityAreCloserThanOtherIdentities() {
    SyntheticFaces ds =
        new SyntheticFaces(40, 6, Preprocessing.insightface().withFlipProbability(0));
    int closer = 0;
    int trials = 0;
    for (int id = 0; id < 40; id++) {
      float[] anchor = ds.render(id, 0, false);
      for (int j = 1; j < 6; j++) {
        double same = distance(anchor, ds.render(id, j, false));
        double other = distance(anchor, ds.render((id + 1 + j) % 40, j, false));
        closer += same < other ? 1 : 0;
        trials++;
      }
    }
    // Views vary (occlusion, lighting) but an identity stays recognisable in most comparisons.
    assertThat(closer).isGreaterThan(trials * 8 / 10);
    // Two views of one identity are never identical.
    assertThat(distance(ds.render(0, 0, false), ds.render(0, 1, false))).isGreaterThan(0.01);
  }

  @Test
  void rendersThousandsOfImagesPerSecond() {
    SyntheticFaces ds = new SyntheticFaces(1000, 10, Preprocessing.insightface());
    for (int i = 0; i < 300; i++) { // warm-up
      ds.load(i, 0);
    }
    int n = 1500;
    // CPU time of this thread, not wall time: the figure must not depend on other jobs sharing the
    // machine.
    var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    long t0 = cpu.getCurrentThreadCpuTime();
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += ds.load(i, 1).chw()[i % 100];
    }
    double perSecond = n / ((cpu.getCurrentThreadCpuTime() - t0) / 1e9);
    System.out.printf(
        "SyntheticFaces: %.0f images per CPU-second (112x112, one thread)%n", perSecond);
    assertThat(sum).isFinite();
    assertThat(perSecond).isGreaterThan(500); // loose: shared CI machines
  }
}
