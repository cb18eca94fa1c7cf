package io.qmargin.data.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes insightface-style validation .bin pickles opcode by opcode, as Python 2 (str, protocol 2),
 * Python 3 (bytes, protocol 2 via _codecs.encode, and protocol 3) and numpy (arrays, protocol 4
 * with STACK_GLOBAL) produce them, and reads them back.
 */
class ValidationBinTest {
  @TempDir Path dir;

  private static final byte[] RED =
      TestImages.encode(TestImages.image(112, 112, (x, y) -> 0xff0000), "jpg");
  private static final byte[] BLUE =
      TestImages.encode(TestImages.image(112, 112, (x, y) -> 0x0000ff), "png");

  private Path write(String name, byte[] pickle) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, pickle);
    return p;
  }

  private static void checkTwoPairs(ValidationBin bin) {
    assertThat(bin.pairs()).isEqualTo(2);
    assertThat(bin.issame()).containsExactly(true, false);
    assertThat(bin.images().get(0)).isEqualTo(RED);
    assertThat(bin.images().get(3)).isEqualTo(BLUE);
    FaceImage red = bin.load(0, Preprocessing.insightface(), false);
    assertThat(red.at(0, 50, 50)).isGreaterThan(0.9f);
    assertThat(red.at(2, 50, 50)).isLessThan(-0.9f);
    assertThat(bin.load(3, Preprocessing.insightface(), true).at(2, 0, 0)).isEqualTo(1f);
  }

  @Test
  void readsPython2StrPickle() throws IOException {
    PickleWriter p = new PickleWriter().op(0x80, 2).op(']', 'q', 0, '(');
    for (byte[] img : new byte[][] {RED, BLUE, RED, BLUE}) {
      p.binstring(img).op('q', 1);
    }
    p.op('e', ']', 'q', 2, '(', 0x88, 0x89, 'e', 0x86, 'q', 3, '.');
    ValidationBin bin = ValidationBin.read(write("lfw.bin", p.bytes()));
    assertThat(bin.name()).isEqualTo("lfw");
    checkTwoPairs(bin);
  }

  @Test
  void readsPython3BytesPicklesProtocol2And3() throws IOException {
    PickleWriter p2 = new PickleWriter().op(0x80, 2).op(']', '(');
    PickleWriter p3 = new PickleWriter().op(0x80, 3).op(']', '(');
    for (byte[] img : new byte[][] {RED, BLUE, RED, BLUE}) {
      p2.codecsBytes(img);
      p3.binbytes(img);
    }
    for (PickleWriter p : new PickleWriter[] {p2, p3}) {
      p.op('e', ']', '(', 0x88, 0x89, 'e', 0x86, '.');
    }
    checkTwoPairs(ValidationBin.read(write("cfp_fp.bin", p2.bytes())));
    checkTwoPairs(ValidationBin.read(write("agedb_30.bin", p3.bytes())));
  }

  @Test
  void readsNumpyArraysOfBytesAndFlags() throws IOException {
    PickleWriter p = new PickleWriter().op(0x80, 4).op(']', '(');
    for (byte[] img : new byte[][] {RED, BLUE, RED, BLUE}) {
      p.ndarray("u1", img, img.length);
    }
    p.op('e').ndarray("b1", new byte[] {1, 0}, 2).op(0x86, '.');
    checkTwoPairs(ValidationBin.read(write("np.bin", p.bytes())));
  }

  @Test
  void malformedFilesAreClearErrors() throws IOException {
    Path odd =
        write(
            "odd.bin",
            new PickleWriter()
                .op(0x80, 3)
                .op(']', '(')
                .binbytes(RED)
                .op('e', ']', '(', 0x88, 'e', 0x86, '.')
                .bytes());
    assertThatThrownBy(() -> ValidationBin.read(odd))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("odd.bin")
        .hasMessageContaining("1 images for 1 pairs");
    Path junk = write("junk.bin", "definitely not a pickle".getBytes());
    assertThatThrownBy(() -> ValidationBin.read(junk))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("junk.bin");
    Path single = write("single.bin", new PickleWriter().op(0x80, 3).op(']', '.').bytes());
    assertThatThrownBy(() -> ValidationBin.read(single))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("pair");
  }

  /**
   * Metrics need a same-identity and a different-identity pair: 0 or 1 pairs, or one kind only, are
   * refused.
   */
  @Test
  void setsWithoutBothKindsOfPairAreRefusedNamingTheFile() throws IOException {
    Path none = write("none.bin", PickleWriter.validationBin(List.of()));
    assertThatThrownBy(() -> ValidationBin.read(none))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(none.toString())
        .hasMessageContaining("0 pairs");
    Path one = write("one.bin", PickleWriter.validationBin(List.of(RED, BLUE), false));
    assertThatThrownBy(() -> ValidationBin.read(one))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(one.toString())
        .hasMessageContaining("1 pair, 0 of the same identity");
    Path same =
        write("same.bin", PickleWriter.validationBin(List.of(RED, BLUE, RED, BLUE), true, true));
    assertThatThrownBy(() -> ValidationBin.read(same))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(same.toString())
        .hasMessageContaining("2 pairs, 2 of the same identity");
    checkTwoPairs(
        ValidationBin.read(
            write(
                "ok.bin", PickleWriter.validationBin(List.of(RED, BLUE, RED, BLUE), true, false))));
  }
}
