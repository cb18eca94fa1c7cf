package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.data.face.LfwFolder;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.data.fetch.LfwFetch;
import io.qmargin.data.fetch.TarWriter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandTest {
  @TempDir Path dir;

  private final CliCapture cli = new CliCapture();
  private final StringWriter err = cli.err;
  private final StringWriter out = cli.out;

  private int run(String... args) {
    return cli.run(args);
  }

  /** A tiny stand-in for lfw-deepfunneled.tgz: two people, three JPEGs. */
  private Path tinyLfwTarball() throws Exception {
    Map<String, byte[]> e = new LinkedHashMap<>();
    e.put("lfw-deepfunneled/", null);
    for (String id :
        new String[] {"Ann_Smith/Ann_Smith_0001", "Ann_Smith/Ann_Smith_0002", "Bo_Li/Bo_Li_0001"}) {
      BufferedImage img = new BufferedImage(250, 250, BufferedImage.TYPE_3BYTE_BGR);
      ByteArrayOutputStream jpg = new ByteArrayOutputStream();
      ImageIO.write(img, "jpg", jpg);
      e.put("lfw-deepfunneled/" + id + ".jpg", jpg.toByteArray());
    }
    Path tgz = dir.resolve("server/lfw-deepfunneled.tgz");
    Files.createDirectories(tgz.getParent());
    TarWriter.writeTgz(tgz, e);
    return tgz;
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  private static long entries(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.count();
    }
  }

  @Test
  void fetchesFromAFileUrlWithChecksum() throws Exception {
    Path tgz = tinyLfwTarball();
    Path dest = dir.resolve("data");
    int code =
        run(
            "data",
            "fetch",
            "lfw",
            "--url",
            tgz.toUri().toString(),
            "--sha256",
            sha256(tgz),
            "--no-pairs",
            "--dest",
            dest.toString());
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("verified").contains("extracted 3 files");
    LfwFolder lfw = LfwFolder.locate(null, Map.of(LfwFolder.ENV, dest.toString())).orElseThrow();
    assertThat(lfw.allPeople(Preprocessing.lfwDeepFunneled()).numClasses()).isEqualTo(2);
    assertThat(entries(dest)).isEqualTo(1); // lfw/ only: no temporary folder left
    // --no-pairs left out the protocol files: the messages say what fetches them, and only for
    // files it fetches
    assertThatThrownBy(() -> lfw.people("peopleDevTrain.txt", Preprocessing.lfwDeepFunneled()))
        .hasMessage(
            dest.resolve("lfw/peopleDevTrain.txt")
                + ": LFW protocol file missing (it comes with LFW; 'qmargin data fetch lfw' downloads it)");
    assertThatThrownBy(() -> lfw.pairs("myPairs.txt"))
        .hasMessageContaining(
            "myPairs.txt: LFW protocol file missing (not one of the files that come with LFW: pairs.txt,");
    // A second fetch into the same place refuses to overwrite.
    assertThat(
            run(
                "data",
                "fetch",
                "lfw",
                "--url",
                tgz.toUri().toString(),
                "--sha256",
                sha256(tgz),
                "--no-pairs",
                "--dest",
                dest.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("already exists");
  }

  @Test
  void wrongChecksumIsAClearErrorAndLeavesNothing() throws Exception {
    Path tgz = tinyLfwTarball();
    Path dest = dir.resolve("data");
    int code =
        run(
            "data",
            "fetch",
            "lfw",
            "--url",
            tgz.toUri().toString(),
            "--sha256",
            "0".repeat(64),
            "--dest",
            dest.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("SHA-256 mismatch").contains("lfw-deepfunneled.tgz");
    assertThat(entries(dest)).isZero();
    // A custom URL without a checksum is refused before downloading.
    assertThat(
            run("data", "fetch", "lfw", "--url", tgz.toUri().toString(), "--dest", dest.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--sha256");
    assertThat(run("data", "fetch", "celeba", "--dest", dest.toString())).isEqualTo(2);
  }

  @Test
  void aRefusedConnectionNamesTheUrlAndLeavesNothing() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort(); // free, and closed again: nothing listens there
    }
    Path dest = dir.resolve("data");
    String url = "http://127.0.0.1:" + port + "/lfw.tgz";
    assertThat(
            run(
                "data",
                "fetch",
                "lfw",
                "--url",
                url,
                "--sha256",
                "0".repeat(64),
                "--dest",
                dest.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("cannot download " + url + ": cannot connect");
    assertThat(entries(dest)).isZero();
  }

  @Test
  void aTruncatedArchiveWithAMatchingChecksumPublishesNothing() throws Exception {
    Path tgz = tinyLfwTarball();
    byte[] all = Files.readAllBytes(tgz);
    Files.write(tgz, java.util.Arrays.copyOf(all, all.length - 8)); // the gzip trailer cut off
    Path dest = dir.resolve("data");
    int code =
        run(
            "data",
            "fetch",
            "lfw",
            "--url",
            tgz.toUri().toString(),
            "--sha256",
            sha256(tgz),
            "--no-pairs",
            "--dest",
            dest.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("truncated or corrupt");
    assertThat(entries(dest)).isZero();
  }

  /**
   * The pairs and people files are checked against their pinned SHA-256s (scikit-learn's and
   * torchvision's), here served from the shared copy.
   */
  @Test
  void verifiesPairsFilesAgainstPinnedChecksums() throws Exception {
    Path shared = Path.of("..", "shared", "data", "lfw").toAbsolutePath().normalize();
    Assumptions.assumeTrue(
        Files.isRegularFile(shared.resolve("pairs.txt")), "../shared/data/lfw not present");
    Path tgz = tinyLfwTarball();
    Path dest = dir.resolve("data");
    int code =
        run(
            "data",
            "fetch",
            "lfw",
            "--url",
            tgz.toUri().toString(),
            "--sha256",
            sha256(tgz),
            "--pairs-url",
            shared.toUri().toString(),
            "--dest",
            dest.toString());
    assertThat(code).as(err.toString()).isZero();
    assertThat(LfwFetch.PROTOCOL_SHA256.keySet())
        .contains("people.txt", "peopleDevTrain.txt", "peopleDevTest.txt");
    for (String f : LfwFetch.PROTOCOL_SHA256.keySet()) {
      assertThat(dest.resolve("lfw").resolve(f))
          .isRegularFile()
          .hasSameBinaryContentAs(shared.resolve(f));
      assertThat(out.toString()).contains("verified " + shared.toUri().resolve(f));
    }
    LfwFolder fetched = LfwFolder.open(dest.resolve("lfw"));
    assertThat(LfwFolder.readPeople(fetched.protocolFile("peopleDevTrain.txt"))).hasSize(4038);
    // Served the right pairs files but a wrong people file, the fetch fails, naming it, and keeps
    // nothing.
    Path badPeople = Files.createDirectories(dir.resolve("badPeople"));
    for (String f : LfwFetch.PROTOCOL_SHA256.keySet()) {
      Files.copy(shared.resolve(f), badPeople.resolve(f));
    }
    Files.writeString(badPeople.resolve("peopleDevTest.txt"), "1\nAnn_Smith\t2\n");
    Path dest3 = dir.resolve("data3");
    assertThat(
            run(
                "data",
                "fetch",
                "lfw",
                "--url",
                tgz.toUri().toString(),
                "--sha256",
                sha256(tgz),
                "--protocol-url",
                badPeople.toUri().toString(),
                "--dest",
                dest3.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("badPeople/peopleDevTest.txt: SHA-256 mismatch");
    assertThat(entries(dest3)).isZero();
    // Served a wrong pairs file, the fetch fails and keeps nothing.
    Path fakeBase = Files.createDirectories(dir.resolve("fake"));
    for (String f : LfwFetch.PROTOCOL_SHA256.keySet()) {
      Files.writeString(fakeBase.resolve(f), "10 300\n");
    }
    Path dest2 = dir.resolve("data2");
    assertThat(
            run(
                "data",
                "fetch",
                "lfw",
                "--url",
                tgz.toUri().toString(),
                "--sha256",
                sha256(tgz),
                "--pairs-url",
                fakeBase.toUri().toString(),
                "--dest",
                dest2.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("fake/pairs.txt").contains("SHA-256 mismatch");
    assertThat(entries(dest2)).isZero();
  }
}
