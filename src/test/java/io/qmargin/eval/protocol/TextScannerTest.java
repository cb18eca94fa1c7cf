package io.qmargin.eval.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.io.TextScanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the scanner makes of awkward files, and what its messages show of them. */
class TextScannerTest {
  @TempDir Path dir;

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  private Path write(String name, String content) throws IOException {
    return write(name, content.getBytes(StandardCharsets.UTF_8));
  }

  private static List<List<String>> lines(Path p) {
    List<List<String>> out = new ArrayList<>();
    try (TextScanner sc = new TextScanner(p)) {
      while (sc.next()) {
        List<String> f = new ArrayList<>();
        for (int i = 0; i < sc.fieldCount(); i++) {
          f.add(sc.field(i));
        }
        out.add(f);
      }
    }
    return out;
  }

  @Test
  void hashStartsACommentOnlyAtTheStartOfALineOrAfterWhitespace() throws IOException {
    Path p = write("keys.txt", "#header\nid#1 x#y  # comment\n\t# indented comment\nplain#\n");
    assertThat(lines(p)).containsExactly(List.of("id#1", "x#y"), List.of("plain#"));
  }

  @Test
  void byteOrderMarkAtTheStartIsSkippedAndNamedElsewhere() throws IOException {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] body = "0.5 1\n0.25 0\n".getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[bom.length + body.length];
    System.arraycopy(bom, 0, withBom, 0, 3);
    System.arraycopy(body, 0, withBom, 3, body.length);
    LabeledScores s = LabeledScores.readScoreFile(write("bom.txt", withBom), Progress.NONE);
    assertThat(s.targets()).containsExactly(0.5);
    assertThat(s.nontargets()).containsExactly(0.25);

    Path inside = write("inside.txt", "0.5 1\n\uFEFF0.25 0\n");
    assertThatThrownBy(() -> LabeledScores.readScoreFile(inside, Progress.NONE))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("inside.txt:2: score '\\uFEFF0.25' is not a number")
        .hasMessageContaining("byte-order mark");
  }

  @Test
  void echoedValuesAreShortenedAndEscaped() throws IOException {
    String huge = "x".repeat(1_000_000);
    Path big = write("big.txt", "0.5 " + huge + "\n");
    assertThatThrownBy(() -> LabeledScores.readScoreFile(big, Progress.NONE))
        .isInstanceOf(UserInputException.class)
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .hasSizeLessThan(300)
                    .contains("big.txt:1: label '" + "x".repeat(80) + "… (1000000 characters)'"));

    Path esc = write("esc.txt", "\u001b[2J\u00070.5 1\n");
    assertThatThrownBy(() -> LabeledScores.readScoreFile(esc, Progress.NONE))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("score '\\u001B[2J\\u00070.5' is not a number")
        .satisfies(
            e -> assertThat(e.getMessage().chars().noneMatch(Character::isISOControl)).isTrue());
  }

  @Test
  void aDirectoryIsNamedAsSuch() throws IOException {
    Path d = Files.createDirectory(dir.resolve("scores"));
    assertThatThrownBy(() -> LabeledScores.readScoreFile(d, Progress.NONE))
        .isInstanceOf(UserInputException.class)
        .hasMessage(d + ": is a directory, not a file");
  }

  @Test
  void anEmptyFoldNamesItsSource() {
    // four pairs in folds 0, 0, 2, 2 of 3: fold 2 (1-based) has none
    assertThatThrownBy(
            () ->
                KFoldAccuracy.compute(
                    "val.bin (4 pairs)",
                    new double[] {0.9, 0.1, 0.8, 0.2},
                    new boolean[] {true, false, true, false},
                    new int[] {0, 0, 2, 2},
                    3))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "val.bin (4 pairs): fold 2 of 3 has no pairs; k-fold accuracy needs pairs in every fold");
  }
}
