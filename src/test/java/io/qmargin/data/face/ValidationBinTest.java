package io.qmargin.data.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes insightface-style validation .bin pickles opcode by opcode, as Python 2 (str, protocol 2),
 * Python 3 (bytes, protocol 2 via _codecs.encode, and protocol 3) and numpy (arrays, protocol 4
 * with STACK_GLOBAL) produce them, and reads them back.
 */
class ValidationBinTest {
  @TempDir Path dir;

  /** A minimal pickle writer: just the opcodes these files use. */
  private static final class Pickle {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickle op(int... bytes) {
      for (int b : bytes) {
        out.write(b);
      }
      return this;
    }

    Pickle raw(byte[] b) {
      out.write(b, 0, b.length);
      return this;
    }

    Pickle int32(int v) {
      return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    Pickle global(String module, String name) {
      return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    Pickle stackGlobal(String module, String name) {
      return shortUnicode(module).shortUnicode(name).op(0x93);
    }

    Pickle shortUnicode(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return op(0x8c, b.length).raw(b);
    }

    Pickle unicode(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return op('X').int32(b.length).raw(b);
    }

    Pickle binstring(byte[] b) { // Python 2 str
      return op('T').int32(b.length).raw(b);
    }

    Pickle binbytes(byte[] b) { // Python 3 bytes, protocol >= 3
      return op('B').int32(b.length).raw(b);
    }

    /** Python 3 bytes under protocol 2: _codecs.encode(latin-1 text, 'latin1'). */
    Pickle codecsBytes(byte[] b) {
      return global("_codecs", "encode").unicode(new String(b, StandardCharsets.ISO_8859_1)).unicode("latin1").op(0x86, 'R');
    }

    /** numpy.ndarray.__reduce__ of a 1-D array: _reconstruct(ndarray, (0,), b'b') then BUILD. */
    Pickle ndarray(String dtype, byte[] data, int length) {
      stackGlobal("numpy.core.multiarray", "_reconstruct").stackGlobal("numpy", "ndarray").op('K', 0, 0x85).op('C', 1, 'b').op(0x87, 'R');
      op('(', 'K', 1).op('J').int32(length).op(0x85);
      stackGlobal("numpy", "dtype").shortUnicode(dtype).op(0x89, 0x88, 0x87, 'R');
      op('(', 'K', 3).shortUnicode("|").op('N', 'N', 'N').op('J').int32(-1).op('J').int32(-1).op('K', 0, 't', 'b');
      return op(0x89).binbytes(data).op('t', 'b');
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  private static final byte[] RED = TestImages.encode(TestImages.image(112, 112, (x, y) -> 0xff0000), "jpg");
  private static final byte[] BLUE = TestImages.encode(TestImages.image(112, 112, (x, y) -> 0x0000ff), "png");

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
    Pickle p = new Pickle().op(0x80, 2).op(']', 'q', 0, '(');
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
    Pickle p2 = new Pickle().op(0x80, 2).op(']', '(');
    Pickle p3 = new Pickle().op(0x80, 3).op(']', '(');
    for (byte[] img : new byte[][] {RED, BLUE, RED, BLUE}) {
      p2.codecsBytes(img);
      p3.binbytes(img);
    }
    for (Pickle p : new Pickle[] {p2, p3}) {
      p.op('e', ']', '(', 0x88, 0x89, 'e', 0x86, '.');
    }
    checkTwoPairs(ValidationBin.read(write("cfp_fp.bin", p2.bytes())));
    checkTwoPairs(ValidationBin.read(write("agedb_30.bin", p3.bytes())));
  }

  @Test
  void readsNumpyArraysOfBytesAndFlags() throws IOException {
    Pickle p = new Pickle().op(0x80, 4).op(']', '(');
    for (byte[] img : new byte[][] {RED, BLUE, RED, BLUE}) {
      p.ndarray("u1", img, img.length);
    }
    p.op('e').ndarray("b1", new byte[] {1, 0}, 2).op(0x86, '.');
    checkTwoPairs(ValidationBin.read(write("np.bin", p.bytes())));
  }

  @Test
  void malformedFilesAreClearErrors() throws IOException {
    Path odd = write("odd.bin", new Pickle().op(0x80, 3).op(']', '(').binbytes(RED).op('e', ']', '(', 0x88, 'e', 0x86, '.').bytes());
    assertThatThrownBy(() -> ValidationBin.read(odd)).isInstanceOf(UserInputException.class).hasMessageContaining("odd.bin").hasMessageContaining("1 images for 1 pairs");
    Path junk = write("junk.bin", "definitely not a pickle".getBytes());
    assertThatThrownBy(() -> ValidationBin.read(junk)).isInstanceOf(UserInputException.class).hasMessageContaining("junk.bin");
    Path single = write("single.bin", new Pickle().op(0x80, 3).op(']', '.').bytes());
    assertThatThrownBy(() -> ValidationBin.read(single)).isInstanceOf(UserInputException.class).hasMessageContaining("pair");
  }
}
