package io.qmargin.data.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.UserInputException;
import io.qmargin.eval.protocol.LfwPairs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetTest {
  @TempDir Path dir;

  private void write(String rel, byte[] bytes) throws IOException {
    Path p = dir.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
  }

  @Test
  void readsEveryFormatLabelsByFolderAndSkipsCorruptFiles() throws IOException {
    var red = TestImages.image(20, 10, (x, y) -> 0xff0000);
    write("alice/a.png", TestImages.encode(red, "png"));
    write("alice/b.jpg", TestImages.encode(red, "jpg"));
    write("alice/notes.txt", "not an image".getBytes());
    write("alice/.DS_Store", new byte[] {0, 1, 2});
    write("bob/face.pgm", TestImages.pgm(16, 16, (x, y) -> 200));
    write("bob/face.gif", TestImages.encode(TestImages.image(8, 8, (x, y) -> 0x0000ff), "gif"));
    write(
        "bob/subject01.glasses",
        TestImages.encode(TestImages.image(8, 8, (x, y) -> 0x00ff00), "gif")); // Yale: no extension
    write("carol/broken.jpg", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2, 3});
    write("carol/ok.png", TestImages.encode(red, "png"));
    write("README", "a file at the root is not an identity".getBytes());

    ImageFolderDataset ds = ImageFolderDataset.open(dir, new Preprocessing(0, 8, 8, 0, 0));
    assertThat(ds.identities()).containsExactly("alice", "bob", "carol");
    assertThat(ds.numClasses()).isEqualTo(3);
    assertThat(ds.size()).isEqualTo(7);
    assertThat(ds.file(0).getFileName().toString()).isEqualTo("a.png");
    assertThat(ds.label(1)).isZero();
    assertThat(ds.label(2)).isEqualTo(1);

    List<String> warnings = new ArrayList<>();
    CorruptImages corrupt = new CorruptImages(warnings::add);
    Map<String, FaceImage> loaded = new HashMap<>();
    for (int i = 0; i < ds.size(); i++) {
      Optional<FaceImage> f = ds.loadOrSkip(i, 0, corrupt);
      f.ifPresent(img -> loaded.put(Path.of(img.source()).getFileName().toString(), img));
    }
    assertThat(corrupt.count()).isEqualTo(1);
    assertThat(warnings).singleElement().asString().contains("broken.jpg");
    assertThat(loaded)
        .containsOnlyKeys("a.png", "b.jpg", "face.pgm", "face.gif", "subject01.glasses", "ok.png");
    FaceImage pgm = loaded.get("face.pgm");
    assertThat(pgm.at(0, 3, 3))
        .isEqualTo(pgm.at(2, 3, 3))
        .isCloseTo(TestImages.norm(200), within(1e-6f));
    assertThat(loaded.get("a.png").at(0, 4, 4)).isCloseTo(1f, within(1e-5f));
    assertThat(loaded.get("a.png").at(1, 4, 4)).isCloseTo(-1f, within(1e-5f));
    assertThat(loaded.get("b.jpg").at(0, 4, 4)).isGreaterThan(0.9f);
    assertThat(loaded.get("face.gif").at(2, 4, 4)).isEqualTo(1f);
    assertThat(loaded.get("subject01.glasses").at(1, 4, 4)).isEqualTo(1f);
    assertThat(loaded.get("ok.png").label()).isEqualTo(2);
  }

  @Test
  void truncatedAndGarbageFilesAreCorruptNotCrashes() throws IOException {
    byte[] jpg = TestImages.encode(TestImages.image(64, 64, (x, y) -> x * 4 << 8), "jpg");
    byte[] png = TestImages.encode(TestImages.image(64, 64, (x, y) -> x * 4 << 8), "png");
    for (byte[] bad :
        List.of(
            java.util.Arrays.copyOf(png, png.length / 2),
            new byte[0],
            "P5\n4 4\n255\nab".getBytes(),
            "hello".getBytes())) {
      assertThatThrownBy(() -> ImageDecoder.decode(bad, "x/bad"))
          .isInstanceOf(CorruptImageException.class)
          .hasMessageStartingWith("x/bad: ");
    }
    // A truncated JPEG: the JDK decoder may fill the rest with grey instead of failing; either is
    // fine, no crash.
    try {
      ImageDecoder.decode(java.util.Arrays.copyOf(jpg, jpg.length / 2), "x/half.jpg");
    } catch (CorruptImageException expected) {
      assertThat(expected.source()).isEqualTo("x/half.jpg");
    }
    assertThatThrownBy(() -> ImageDecoder.decode(dir.resolve("missing.jpg")))
        .isInstanceOf(CorruptImageException.class)
        .hasMessageContaining("missing.jpg");
  }

  @Test
  void emptyIdentityFolderIsAClearError() throws IOException {
    write("alice/a.png", TestImages.encode(TestImages.image(4, 4, (x, y) -> 0), "png"));
    Files.createDirectories(dir.resolve("bob"));
    write("carol/readme.txt", "no images here".getBytes());
    assertThatThrownBy(() -> ImageFolderDataset.open(dir, Preprocessing.insightface()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("bob")
        .hasMessageContaining("has no images");
    assertThatThrownBy(
            () ->
                ImageFolderDataset.open(dir, List.of("alice", "dave"), Preprocessing.insightface()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("dave");
    Path empty = Files.createDirectories(dir.resolve("empty-root"));
    assertThatThrownBy(() -> ImageFolderDataset.open(empty, Preprocessing.insightface()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("no identity folders");
  }

  @Test
  void lfwFolderResolvesDataOptionAndEnvironment() throws IOException {
    write(
        "data/lfw/lfw-deepfunneled/Ann_Smith/Ann_Smith_0001.jpg",
        TestImages.encode(TestImages.image(250, 250, (x, y) -> 0x808080), "jpg"));
    write("data/lfw/peopleDevTrain.txt", "1\nAnn_Smith\t1\n".getBytes());
    Path data = dir.resolve("data");
    assertThat(LfwFolder.locate(null, Map.of())).isEmpty();
    LfwFolder byEnv = LfwFolder.locate(null, Map.of(LfwFolder.ENV, data.toString())).orElseThrow();
    LfwFolder byOption =
        LfwFolder.locate(data.resolve("lfw"), Map.of(LfwFolder.ENV, "/nowhere")).orElseThrow();
    assertThat(byEnv).isEqualTo(byOption);
    assertThat(LfwFolder.open(data)).isEqualTo(byEnv);
    assertThat(byEnv.image("Ann_Smith_0001")).isRegularFile();
    assertThat(byEnv.people("peopleDevTrain.txt", Preprocessing.lfwDeepFunneled()).size())
        .isEqualTo(1);
    assertThat(byEnv.load("Ann_Smith_0001", Preprocessing.lfwDeepFunneled(), false).width())
        .isEqualTo(112);
    assertThatThrownBy(
            () -> LfwFolder.locate(null, Map.of(LfwFolder.ENV, dir.resolve("nothing").toString())))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(LfwFolder.ENV);
    assertThatThrownBy(() -> byEnv.pairs("pairs.txt"))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("pairs.txt");
  }

  /**
   * The real LFW copy in ../shared/data: every pair image present; decoding throughput on one
   * thread.
   */
  @Test
  void realLfwPairsResolveAndDecode() {
    Path shared = TestImages.sharedData();
    Assumptions.assumeTrue(shared != null, "../shared/data/lfw not present");
    LfwFolder lfw = LfwFolder.locate(null, Map.of(LfwFolder.ENV, shared.toString())).orElseThrow();
    LfwPairs pairs = lfw.pairs("pairs.txt");
    assertThat(pairs.size()).isEqualTo(6000);
    assertThat(lfw.missingImages(pairs)).isEmpty();
    assertThat(LfwFolder.readPeople(lfw.protocolFile("people.txt"))).hasSize(5749);
    assertThat(LfwFolder.readPeople(lfw.protocolFile("peopleDevTrain.txt"))).hasSize(4038);

    Preprocessing pre = Preprocessing.lfwDeepFunneled();
    int n = 400;
    for (int i = 0; i < 300; i++) { // warm-up (JIT, decoder initialisation)
      lfw.load(pairs.first()[i], pre, false);
    }
    var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    long t0 = cpu.getCurrentThreadCpuTime();
    double sum = 0;
    for (int i = 0; i < n; i++) {
      FaceImage f = lfw.load(pairs.second()[i], pre, false);
      sum += f.at(0, 56, 56);
    }
    double seconds = (cpu.getCurrentThreadCpuTime() - t0) / 1e9;
    System.out.printf(
        "LFW JPEG read + decode + crop 150 + resize 112: %.0f images per CPU-second, one thread (%d images)%n",
        n / seconds, n);
    assertThat(sum / n).isBetween(-1.0, 1.0);
  }
}
