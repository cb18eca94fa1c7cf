package io.qmargin.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private static List<String> names(Path d) throws IOException {
    try (Stream<Path> s = Files.walk(d)) {
      return s.filter(p -> !p.equals(d)).map(p -> d.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void filesGetThePermissionsOfAPlainNewFileInTheirDirectory() throws IOException {
    FileStore store = Files.getFileStore(dir);
    Assumptions.assumeTrue(store.supportsFileAttributeView("posix"), "POSIX permissions");
    Path plain = dir.resolve("plain.txt");
    try (OutputStream out = Files.newOutputStream(plain)) {
      out.write(1);
    }
    Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
    AtomicFiles.writeString(dir.resolve("atomic.txt"), "x");
    assertThat(Files.getPosixFilePermissions(dir.resolve("atomic.txt"))).isEqualTo(expected);
    try (AtomicFiles.OutputSet set = AtomicFiles.outputSet()) {
      AtomicFiles.writeString(set.file(dir.resolve("a.npy")), "a");
      AtomicFiles.writeString(set.directory(dir.resolve("report")).resolve("metrics.json"), "{}");
      set.commit();
    }
    assertThat(Files.getPosixFilePermissions(dir.resolve("a.npy"))).isEqualTo(expected);
    assertThat(Files.getPosixFilePermissions(dir.resolve("report/metrics.json")))
        .isEqualTo(expected);
  }

  @Test
  void aFailedLaterWriteLeavesThePreviousOutputsAndNoTemporaryFile() throws IOException {
    Path a = dir.resolve("loss.npy");
    Path b = dir.resolve("sub/keys.txt");
    Files.writeString(a, "old");
    assertThatThrownBy(
            () -> {
              try (AtomicFiles.OutputSet set = AtomicFiles.outputSet()) {
                AtomicFiles.writeString(set.file(a), "new");
                AtomicFiles.write(
                    set.file(b),
                    out -> {
                      out.write(new byte[100]);
                      throw new IOException("No space left on device");
                    });
                set.commit();
              }
            })
        .isInstanceOf(IOException.class)
        .hasMessage("No space left on device");
    assertThat(a).hasContent("old");
    assertThat(names(dir)).containsExactly("loss.npy", "sub");
  }

  @Test
  void aStagedDirectoryAppearsWholeOnCommitAndNotAtAllWithout() throws IOException {
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve("metrics.json"), "old");
    Files.writeString(out.resolve("keep.txt"), "not ours");
    try (AtomicFiles.OutputSet set = AtomicFiles.outputSet()) {
      Path stage = set.directory(out);
      AtomicFiles.writeString(stage.resolve("metrics.json"), "new");
      AtomicFiles.writeString(stage.resolve("systems/a/roc.tsv"), "1 1");
      assertThat(names(out)).hasSize(2 + 5); // the staging folder with its four entries beside
      // no commit: an error after these writes
    }
    assertThat(names(out)).containsExactly("keep.txt", "metrics.json");
    assertThat(out.resolve("metrics.json")).hasContent("old");

    try (AtomicFiles.OutputSet set = AtomicFiles.outputSet()) {
      Path stage = set.directory(out);
      AtomicFiles.writeString(stage.resolve("metrics.json"), "new");
      AtomicFiles.writeString(stage.resolve("systems/a/roc.tsv"), "1 1");
      set.commit();
    }
    assertThat(names(out))
        .containsExactly("keep.txt", "metrics.json", "systems", "systems/a", "systems/a/roc.tsv");
    assertThat(out.resolve("metrics.json")).hasContent("new");
  }

  @Test
  void aTargetThatIsAFolderStopsTheCommitBeforeAnythingMoves() throws IOException {
    Path out = dir.resolve("out");
    Files.createDirectories(out.resolve("roc.png/inside"));
    assertThatThrownBy(
            () -> {
              try (AtomicFiles.OutputSet set = AtomicFiles.outputSet()) {
                Path stage = set.directory(out);
                AtomicFiles.writeString(stage.resolve("metrics.json"), "{}");
                AtomicFiles.writeString(stage.resolve("roc.png"), "png");
                set.commit();
              }
            })
        .isInstanceOf(io.qmargin.UserInputException.class)
        .hasMessageContaining("roc.png")
        .hasMessageContaining("is a folder");
    assertThat(names(out)).containsExactly("roc.png", "roc.png/inside");
  }

  @Test
  void twoOutputsNamingOneFileAreRefused() throws IOException {
    try (AtomicFiles.OutputSet set = AtomicFiles.outputSet()) {
      set.file(dir.resolve("x.npy"));
      assertThatThrownBy(() -> set.file(dir.resolve("./x.npy")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("same file");
    }
  }

  /* A file where the output's folder should be: a user error naming that path, not a bare FileSystemException. */
  @Test
  void aFileInPlaceOfTheOutputFolderIsAUserErrorNamingIt() throws IOException {
    Path blocker = dir.resolve("out");
    Files.writeString(blocker, "a file");
    assertThatThrownBy(() -> AtomicFiles.writeString(blocker.resolve("metrics.json"), "{}"))
        .isInstanceOf(io.qmargin.UserInputException.class)
        .hasMessage(
            blocker.toAbsolutePath() + ": already exists (a file where a folder is needed?)");
    assertThat(blocker).hasContent("a file");
  }
}
