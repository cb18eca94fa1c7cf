package io.qmargin.data.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzTest {
  @TempDir Path dir;

  @Test
  void extractsFilesFoldersAndLongNames() throws IOException {
    Map<String, byte[]> e = new LinkedHashMap<>();
    e.put("top/", null);
    e.put("top/a.txt", "hello".getBytes(StandardCharsets.UTF_8));
    String longName = "top/" + "x".repeat(120) + "/b.bin";
    e.put(longName, new byte[1000]);
    Path tgz = dir.resolve("t.tgz");
    TarWriter.writeTgz(tgz, e);
    Path out = dir.resolve("out");
    assertThat(TarGz.extract(tgz, out)).isEqualTo(2);
    assertThat(out.resolve("top/a.txt")).hasContent("hello");
    assertThat(Files.size(out.resolve(longName))).isEqualTo(1000);
  }

  @Test
  void refusesEntriesOutsideTheDestination() throws IOException {
    Path tgz = dir.resolve("evil.tgz");
    TarWriter.writeTgz(tgz, Map.of("../evil.txt", new byte[1]));
    assertThatThrownBy(() -> TarGz.extract(tgz, dir.resolve("out")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("outside");
    assertThat(dir.resolve("evil.txt")).doesNotExist();
  }

  @Test
  void truncatedArchiveIsAnError() throws IOException {
    Path tgz = dir.resolve("t.tgz");
    TarWriter.writeTgz(tgz, Map.of("a.bin", new byte[100_000]));
    byte[] all = Files.readAllBytes(tgz);
    Files.write(tgz, java.util.Arrays.copyOf(all, all.length / 2));
    assertThatThrownBy(() -> TarGz.extract(tgz, dir.resolve("out")))
        .isInstanceOfAny(IOException.class, UserInputException.class);
  }

  @Test
  void gzipStreamCutBeforeItsTrailerIsRefused() throws IOException {
    // the tar data with both end blocks is complete; only the gzip trailer (CRC-32, length) is
    // missing, which the tar reader never reached
    Path tgz = dir.resolve("t.tgz");
    TarWriter.writeTgz(tgz, Map.of("a.txt", "hello".getBytes(StandardCharsets.UTF_8)));
    byte[] all = Files.readAllBytes(tgz);
    Files.write(tgz, java.util.Arrays.copyOf(all, all.length - 8));
    assertThatThrownBy(() -> TarGz.extract(tgz, dir.resolve("out")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("t.tgz")
        .hasMessageContaining("truncated or corrupt");
  }

  @Test
  void gzipTrailerWithAWrongChecksumIsRefused() throws IOException {
    Path tgz = dir.resolve("t.tgz");
    TarWriter.writeTgz(tgz, Map.of("a.txt", "hello".getBytes(StandardCharsets.UTF_8)));
    byte[] all = Files.readAllBytes(tgz);
    all[all.length - 8] ^= 1; // first byte of the CRC-32
    Files.write(tgz, all);
    assertThatThrownBy(() -> TarGz.extract(tgz, dir.resolve("out")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("truncated or corrupt");
  }

  @Test
  void archiveWithoutRegularFilesIsRefused() throws IOException {
    // a folder and a symbolic link (type '2'): nothing the caller could use
    Path tgz = dir.resolve("links.tgz");
    Map<String, byte[]> e = new LinkedHashMap<>();
    e.put("top/", null);
    TarWriter.writeTgz(tgz, e, Map.of("top/link", '2'));
    assertThatThrownBy(() -> TarGz.extract(tgz, dir.resolve("out")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("links.tgz")
        .hasMessageContaining("no regular file");
  }

  @Test
  void refusesAbsoluteEntryNames() throws IOException {
    Path tgz = dir.resolve("abs.tgz");
    TarWriter.writeTgz(tgz, Map.of("/tmp/evil.txt", new byte[1]));
    assertThatThrownBy(() -> TarGz.extract(tgz, dir.resolve("out")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("abs.tgz")
        .hasMessageContaining("outside");
  }

  @Test
  void skipsLinksAndKeepsTheRegularFiles() throws IOException {
    // a symbolic link ('2') and a hard link ('1') are never created, whatever they point at
    Path tgz = dir.resolve("mixed.tgz");
    Map<String, byte[]> e = new LinkedHashMap<>();
    e.put("top/a.txt", "hello".getBytes(StandardCharsets.UTF_8));
    TarWriter.writeTgz(tgz, e, new java.util.TreeMap<>(Map.of("top/soft", '2', "top/hard", '1')));
    Path out = dir.resolve("out");
    assertThat(TarGz.extract(tgz, out)).isEqualTo(1);
    assertThat(out.resolve("top/a.txt")).hasContent("hello");
    assertThat(out.resolve("top/soft")).doesNotExist();
    assertThat(out.resolve("top/hard")).doesNotExist();
  }

  @Test
  void gzipOfSomethingElseIsRefusedByName() throws IOException {
    Path tgz = dir.resolve("notatar.tgz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(tgz))) {
      out.write(
          "this is not a tar archive, just text that fills a block or two. "
              .repeat(40)
              .getBytes(StandardCharsets.UTF_8));
    }
    assertThatThrownBy(() -> TarGz.extract(tgz, dir.resolve("out")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("notatar.tgz");
  }
}
