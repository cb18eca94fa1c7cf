package io.qmargin.eval.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadersTest {
  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  @Test
  void scoreFileWithCommentsLabelsAndCrlf() throws IOException {
    Path f =
        write(
            "s.txt",
            "# header\n0.5 1\r\n-1e-3 0  # trailing comment\n\n  2 target\n.25 nontarget\n3E2 TARGET\n");
    LabeledScores s = LabeledScores.readScoreFile(f, Progress.NONE);
    assertThat(s.targets()).containsExactly(0.5, 2.0, 300.0);
    assertThat(s.nontargets()).containsExactly(-0.001, 0.25);
  }

  @Test
  void decimalParsingIsCorrectlyRounded() throws IOException {
    SplittableRandom r = new SplittableRandom(3);
    StringBuilder sb = new StringBuilder();
    String[] tokens = new String[2000];
    for (int i = 0; i < tokens.length; i++) {
      double v = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(30) - 15);
      tokens[i] =
          switch (i % 4) {
            case 0 -> Double.toString(v);
            case 1 -> String.format(Locale.ROOT, "%.6f", v);
            case 2 -> String.format(Locale.ROOT, "%.17g", v);
            default -> String.format(Locale.ROOT, "%.3e", v);
          };
      sb.append(tokens[i]).append(' ').append(i % 2).append('\n');
    }
    LabeledScores s = LabeledScores.readScoreFile(write("p.txt", sb.toString()), Progress.NONE);
    int a = 0;
    int b = 0;
    for (int i = 0; i < tokens.length; i++) {
      double expected = Double.parseDouble(tokens[i]);
      double got = i % 2 == 1 ? s.targets()[a++] : s.nontargets()[b++];
      assertThat(got).as(tokens[i]).isEqualTo(expected);
    }
  }

  @Test
  void badScoreFilesNameFileAndLine() throws IOException {
    assertThatThrownBy(
            () ->
                LabeledScores.readScoreFile(write("a.txt", "0.5 1\n0.2 0\nnan 1\n"), Progress.NONE))
        .isInstanceOf(UserInputException.class)
        .hasMessage(dir.resolve("a.txt") + ":3: score 'nan' is not a finite number");
    assertThatThrownBy(
            () -> LabeledScores.readScoreFile(write("b.txt", "0.5 1\n-inf 0\n"), Progress.NONE))
        .hasMessageEndingWith("b.txt:2: score '-inf' is not a finite number");
    assertThatThrownBy(
            () -> LabeledScores.readScoreFile(write("c.txt", "0.5 1\n1e999 0\n"), Progress.NONE))
        .hasMessageEndingWith("c.txt:2: score '1e999' is not a finite number");
    assertThatThrownBy(
            () ->
                LabeledScores.readScoreFile(write("d.txt", "0.5 1\n# c\n0.1f 0\n"), Progress.NONE))
        .hasMessageEndingWith("d.txt:3: score '0.1f' is not a number");
    assertThatThrownBy(
            () -> LabeledScores.readScoreFile(write("e.txt", "0.5 1 extra\n"), Progress.NONE))
        .hasMessageEndingWith("e.txt:1: 3 fields; " + ScoreFileLayout.ACCEPTED);
    assertThatThrownBy(
            () -> LabeledScores.readScoreFile(write("f.txt", "0.5 yes\n"), Progress.NONE))
        .hasMessageEndingWith("f.txt:1: label 'yes' is not one of 1/0/target/nontarget");
    assertThatThrownBy(
            () -> LabeledScores.readScoreFile(write("g.txt", "# nothing\n\n"), Progress.NONE))
        .hasMessageEndingWith("g.txt: no scores (empty file?)");
    assertThatThrownBy(
            () -> LabeledScores.readScoreFile(write("h.txt", "0.5 1\n0.7 1\n"), Progress.NONE))
        .hasMessageContaining("h.txt: only target trials");
    assertThatThrownBy(() -> LabeledScores.readScoreFile(write("i.txt", "0.5 0\n"), Progress.NONE))
        .hasMessageContaining("i.txt: only non-target trials");
    assertThatThrownBy(() -> LabeledScores.readScoreFile(dir.resolve("missing.txt"), Progress.NONE))
        .hasMessageEndingWith("missing.txt: no such file");
  }

  private Path embeddings(String name, float[] data, int n, int d) throws IOException {
    Path p = dir.resolve(name);
    Npy.writeFloat32(p, data, n, d);
    return p;
  }

  @Test
  void trialsScoredByCosine() throws IOException {
    // a = (1, 0), b = (3, 4) -> cos(a, b) = 3/5; c = (0, -2) -> cos(a, c) = 0, cos(b, c) = -4/5
    Path e = embeddings("e.npy", new float[] {1, 0, 3, 4, 0, -2}, 3, 2);
    Path k = write("k.txt", "a\nb\nc\n");
    Path t = write("t.txt", "1 a b\n0 a c\ntarget b c\n");
    TrialList trials = TrialList.read(t, Progress.NONE);
    double[] s = CosineScoring.score(trials, Embeddings.read(e, k));
    assertThat(s[0]).isCloseTo(0.6, within(1e-6));
    assertThat(s[1]).isCloseTo(0.0, within(1e-6));
    assertThat(s[2]).isCloseTo(-0.8, within(1e-6));
    assertThat(trials.isTarget()).containsExactly(true, false, true);

    Path bad = write("t2.txt", "1 a b\n# comment\n0 a zz\n");
    assertThatThrownBy(
            () -> CosineScoring.score(TrialList.read(bad, Progress.NONE), Embeddings.read(e, k)))
        .hasMessageStartingWith(bad + ":3: unknown id 'zz'");
    assertThatThrownBy(() -> Embeddings.read(e, write("k2.txt", "a\nb\n")))
        .hasMessageContaining("2 keys for the 3 rows");
    assertThatThrownBy(() -> Embeddings.read(e, write("k3.txt", "a\nb\na\n")))
        .hasMessageContaining("k3.txt:3: duplicate id 'a'");
    Path zero = embeddings("z.npy", new float[] {1, 0, 0, 0, 0, 1}, 3, 2);
    assertThatThrownBy(() -> CosineScoring.score(trials, Embeddings.read(zero, k)))
        .hasMessageContaining("('b') has zero norm");
  }

  @Test
  void trialScoresInBothLayouts() throws IOException {
    TrialList trials = TrialList.read(write("t.txt", "1 a b\n0 a c\n"), Progress.NONE);
    assertThat(TrialScores.read(write("s3.txt", "a c -0.5\na b 0.7\n"), trials, Progress.NONE))
        .containsExactly(0.7, -0.5);
    assertThat(TrialScores.read(write("s1.txt", "0.7\n-0.5\n"), trials, Progress.NONE))
        .containsExactly(0.7, -0.5);
    assertThatThrownBy(() -> TrialScores.read(write("s4.txt", "a b 0.7\n"), trials, Progress.NONE))
        .hasMessageContaining("t.txt:2: no score for trial 'a c'");
    assertThatThrownBy(() -> TrialScores.read(write("s5.txt", "0.7\n"), trials, Progress.NONE))
        .hasMessageContaining("1 scores for the 2 trials");
  }

  @Test
  void kaldiTrialListDetectedPerFile() throws IOException {
    // wespeaker's vox1_O_cleaned.kaldi order: enroll test target|nontarget
    TrialList kaldi =
        TrialList.read(
            write("k.kaldi", "id1/a.wav id2/b.wav nontarget\n# c\nid1/a.wav id1/c.wav target\n"),
            Progress.NONE);
    assertThat(kaldi.enroll()).containsExactly("id1/a.wav", "id1/a.wav");
    assertThat(kaldi.test()).containsExactly("id2/b.wav", "id1/c.wav");
    assertThat(kaldi.isTarget()).containsExactly(false, true);
    assertThat(kaldi.where(1)).isEqualTo(dir.resolve("k.kaldi") + ":3");
    TrialList vox =
        TrialList.read(
            write("v.txt", "0 id1/a.wav id2/b.wav\n1 id1/a.wav id1/c.wav\n"), Progress.NONE);
    assertThat(vox.enroll()).isEqualTo(kaldi.enroll());
    assertThat(vox.test()).isEqualTo(kaldi.test());
    assertThat(vox.isTarget()).containsExactly(false, true);
    // a file keeps the layout of its first line
    assertThatThrownBy(() -> TrialList.read(write("m1.txt", "a b target\n1 a c\n"), Progress.NONE))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            dir.resolve("m1.txt")
                + ":2: expected 'enroll test target|nontarget' as on line 1, but field 3 'c' is not a label ("
                + TrialListLayout.ACCEPTED
                + ", one per file)");
    assertThatThrownBy(
            () -> TrialList.read(write("m2.txt", "1 a b\na c nontarget\n"), Progress.NONE))
        .hasMessageStartingWith(
            dir.resolve("m2.txt")
                + ":2: expected 'label enroll test' as on line 1, but field 1 'a' is not a label");
    assertThatThrownBy(() -> TrialList.read(write("m3.txt", "1 a b\n0 a c d\n"), Progress.NONE))
        .hasMessageStartingWith(
            dir.resolve("m3.txt") + ":2: expected 'label enroll test' as on line 1, got 4 fields");
    assertThatThrownBy(() -> TrialList.read(write("m4.txt", "\na b c\n"), Progress.NONE))
        .hasMessage(
            dir.resolve("m4.txt") + ":2: not a trial line (3 fields); " + TrialListLayout.ACCEPTED);
  }

  @Test
  void wespeakerFourColumnScoreFiles() throws IOException {
    LabeledScores s =
        LabeledScores.readScoreFile(
            write("w.txt", "a b 0.75 target\na c -0.25 nontarget\nb c 0.5 nontarget\n"),
            Progress.NONE);
    assertThat(s.targets()).containsExactly(0.75);
    assertThat(s.nontargets()).containsExactly(-0.25, 0.5);
    assertThatThrownBy(
            () ->
                LabeledScores.readScoreFile(
                    write("w2.txt", "a b 0.75 target\n0.5 0\n"), Progress.NONE))
        .hasMessage(
            dir.resolve("w2.txt")
                + ":2: expected 4 fields 'enroll test score target|nontarget' as on the file's first line, got 2 ("
                + ScoreFileLayout.ACCEPTED
                + ", one per file)");
    assertThatThrownBy(
            () ->
                LabeledScores.readScoreFile(
                    write("w3.txt", "a b 0.75 target\na c x nontarget\n"), Progress.NONE))
        .hasMessage(dir.resolve("w3.txt") + ":2: score 'x' is not a number");
    assertThatThrownBy(
            () -> LabeledScores.readScoreFile(write("w4.txt", "a b 0.75 maybe\n"), Progress.NONE))
        .hasMessage(dir.resolve("w4.txt") + ":1: label 'maybe' is not one of 1/0/target/nontarget");

    // the same file as the scores of a trial list: matched by id pair, labels checked against the
    // list
    TrialList trials =
        TrialList.read(write("t.kaldi", "a c nontarget\na b target\n"), Progress.NONE);
    Path w = write("w5.txt", "a b 0.75 target\nx y 0.1 nontarget\na c -0.25 nontarget\n");
    assertThat(TrialScores.read(w, trials, Progress.NONE)).containsExactly(-0.25, 0.75);
    assertThatThrownBy(
            () ->
                TrialScores.read(
                    write("w6.txt", "a b 0.75 nontarget\na c -0.25 nontarget\n"),
                    trials,
                    Progress.NONE))
        .hasMessage(
            dir.resolve("t.kaldi")
                + ":2: trial 'a b' is a target trial, but "
                + dir.resolve("w6.txt")
                + " labels it nontarget");
    assertThatThrownBy(
            () ->
                TrialScores.read(
                    write("w7.txt", "a b 0.75 target\na c -0.25\n"), trials, Progress.NONE))
        .hasMessageStartingWith(
            dir.resolve("w7.txt") + ":2: expected 4 fields as on the file's first line, got 3");
    assertThatThrownBy(() -> TrialScores.read(write("w8.txt", "a b\n"), trials, Progress.NONE))
        .hasMessageStartingWith(
            dir.resolve("w8.txt") + ":1: 2 fields; accepted layouts: 'enroll test score'");
  }

  @Test
  void meanSubtractedBeforeCosine() throws IOException {
    // rows a = (3, 1), b = (1, 3), c = (2, -1); mean of the three = (2, 1)
    // a - m = (1, 0), b - m = (-1, 2), c - m = (0, -2)
    // cos(a-m, b-m) = -1/sqrt(5); cos(a-m, c-m) = 0; cos(b-m, c-m) = -4/(sqrt(5)*2) = -2/sqrt(5)
    Embeddings e =
        Embeddings.read(
            embeddings("e.npy", new float[] {3, 1, 1, 3, 2, -1}, 3, 2),
            write("k.txt", "a\nb\nc\n"));
    assertThat(e.mean()).containsExactly(2.0, 1.0);
    TrialList trials = TrialList.read(write("t.txt", "1 a b\n0 a c\n0 b c\n"), Progress.NONE);
    double[] s = CosineScoring.score(trials, e.minus(e.mean(), "m"));
    assertThat(s[0]).isCloseTo(-1 / Math.sqrt(5), within(1e-6));
    assertThat(s[1]).isCloseTo(0.0, within(1e-6));
    assertThat(s[2]).isCloseTo(-2 / Math.sqrt(5), within(1e-6));
    // a mean file of shape (d) or (1, d)
    Path m1 = dir.resolve("m1.npy");
    Npy.writeFloat64(m1, new double[] {2, 1}, 2);
    assertThat(Embeddings.readMean(m1)).containsExactly(2.0, 1.0);
    Path m2 = dir.resolve("m2.npy");
    Npy.writeFloat32(m2, new float[] {2, 1}, 1, 2);
    assertThat(Embeddings.readMean(m2)).containsExactly(2.0, 1.0);
    Path m3 = dir.resolve("m3.npy");
    Npy.writeFloat32(m3, new float[] {2, 1, 0, 0}, 2, 2);
    assertThatThrownBy(() -> Embeddings.readMean(m3))
        .hasMessage(m3 + ": a mean embedding must have shape (d) or (1, d), got (2, 2)");
    assertThatThrownBy(() -> e.minus(new double[] {1, 2, 3}, "m.npy"))
        .hasMessage(
            "m.npy: mean of dimension 3, the embeddings of " + dir.resolve("e.npy") + " have 2");
  }

  /*
   * LFW with 2 folds of 1 matched + 1 mismatched pair ("2 1" header).
   * Embeddings on the unit circle at angles: A_1 0deg, A_2 10deg, B_1 90deg, C_1 20deg, C_2 60deg, D_1 30deg
   * Fold 1: match A 1 2 -> cos 10 = .985; mismatch A 1 B 1 -> cos 90 = 0.
   * Fold 2: match C 1 2 -> cos 40 = .766; mismatch C 1 D 1 -> cos 10 = .985.
   * Fold 1's threshold comes from fold 2 alone: scores {.766 target, .985 non-target}; the best
   * accuracy (1/2) is first reached by accepting nothing -> threshold above .985 -> fold 1 rejects
   * both: accuracy 1/2. Fold 2's threshold from fold 1: {.985 T, 0 N}: accept >= .985 is perfect;
   * midpoint to the next score 0 -> .492 -> fold 2 accepts both: 1/2. Mean .5, std 0.
   */
  @Test
  void lfwPairsAndTenFoldProtocol() throws IOException {
    Path pairs = write("pairs.txt", "2\t1\nA\t1\t2\nA\t1\tB\t1\nC\t1\t2\nC\t1\tD\t1\n");
    String[] keys = {
      "A/A_0001.jpg", "A/A_0002.jpg", "B/B_0001.jpg", "C_0001", "C/C_0002.png", "D_0001.jpg"
    };
    double[] deg = {0, 10, 90, 20, 60, 30};
    float[] data = new float[12];
    for (int i = 0; i < 6; i++) {
      data[2 * i] = (float) Math.cos(Math.toRadians(deg[i]));
      data[2 * i + 1] = (float) Math.sin(Math.toRadians(deg[i]));
    }
    Path e = embeddings("lfw.npy", data, 6, 2);
    Files.writeString(dir.resolve("lfw_keys.txt"), String.join("\n", keys) + "\n");
    LfwPairs p = LfwPairs.read(pairs);
    assertThat(p.folds()).isEqualTo(2);
    assertThat(p.isTarget()).containsExactly(true, false, true, false);
    assertThat(p.fold()).containsExactly(0, 0, 1, 1);
    double[] s = p.score(Embeddings.read(e, dir.resolve("lfw_keys.txt")));
    assertThat(s[0]).isCloseTo(Math.cos(Math.toRadians(10)), within(1e-6));
    assertThat(s[1]).isCloseTo(0, within(1e-6));
    assertThat(s[2]).isCloseTo(Math.cos(Math.toRadians(40)), within(1e-6));
    KFoldAccuracy acc = KFoldAccuracy.compute("pairs.txt", s, p.isTarget(), p.fold(), 2);
    assertThat(acc.foldAccuracy()).containsExactly(0.5, 0.5);
    assertThat(acc.mean()).isEqualTo(0.5);
    assertThat(acc.std()).isZero();
    assertThat(acc.foldThreshold()[0]).isGreaterThan(s[3]);
    assertThat(acc.foldThreshold()[1]).isCloseTo(s[0] / 2, within(1e-6));

    assertThatThrownBy(() -> LfwPairs.read(write("p2.txt", "1 1\nA 1 2\nA 1 2\n")))
        .hasMessageContaining(
            "p2.txt:3: a matched pair 'name n1 n2' where fold 1 expects a mismatched pair");
    assertThatThrownBy(() -> LfwPairs.read(write("p3.txt", "2 1\nA 1 2\nA 1 B 1\n")))
        .hasMessageContaining("2 pairs, the header announces 2 folds of 2 x 1 = 4");
    Path p4 = write("p4.txt", "1 1\nA 1 2\nA 1 Z 1\n");
    assertThatThrownBy(
            () -> LfwPairs.read(p4).score(Embeddings.read(e, dir.resolve("lfw_keys.txt"))))
        .hasMessageContaining("p4.txt:3: unknown image 'Z_0001'");
  }

  @Test
  void bestThresholdByHand() {
    // scores .9 T, .8 N, .7 T, .6 T, .1 N: accuracies when accepting >= t:
    // none 2/5, .9: 3/5, .8: 2/5, .7: 3/5, .6: 4/5, .1: 3/5 -> best at .6, midpoint to .1 = .35
    double t =
        KFoldAccuracy.bestThreshold(
            new double[] {0.9, 0.8, 0.7, 0.6, 0.1}, new boolean[] {true, false, true, true, false});
    assertThat(t).isCloseTo(0.35, within(1e-12));
  }
}
