package io.qmargin.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir Path dir;

  @Test
  void roundTripsEveryDtype() throws IOException {
    Npy.writeFloat32(dir.resolve("f4.npy"), new float[] {1.5f, -2f, 3f, 0f, 7f, 8f}, 2, 3);
    Npy.writeFloat64(dir.resolve("f8.npy"), new double[] {Math.PI, -1e300}, 2);
    Npy.writeInt32(dir.resolve("i4.npy"), new int[] {1, -2, Integer.MAX_VALUE}, 3);
    Npy.writeInt64(dir.resolve("i8.npy"), new long[] {Long.MIN_VALUE, 5}, 2, 1);
    Npy.Array f4 = Npy.read(dir.resolve("f4.npy"));
    assertThat(f4.dtype()).isEqualTo(Npy.DType.FLOAT32);
    assertThat(f4.shape()).containsExactly(2, 3);
    assertThat(f4.toFloats()).containsExactly(1.5f, -2f, 3f, 0f, 7f, 8f);
    assertThat(Npy.read(dir.resolve("f8.npy")).toDoubles()).containsExactly(Math.PI, -1e300);
    assertThat(Npy.read(dir.resolve("i4.npy")).toLongs()).containsExactly(1, -2, Integer.MAX_VALUE);
    Npy.Array i8 = Npy.read(dir.resolve("i8.npy"));
    assertThat(i8.shape()).containsExactly(2, 1);
    assertThat(i8.toLongs()).containsExactly(Long.MIN_VALUE, 5);
  }

  @Test
  void writesTheExactHeaderNumpyWrites() throws IOException {
    // np.save of np.zeros((2, 3), '<f4'): magic, version 1.0, header length 118, dict padded to 128
    Npy.writeFloat32(dir.resolve("z.npy"), new float[6], 2, 3);
    byte[] bytes = Files.readAllBytes(dir.resolve("z.npy"));
    String header = new String(bytes, 10, 118, StandardCharsets.ISO_8859_1);
    assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    assertThat(header).endsWith(" \n");
    assertThat(bytes).hasSize(128 + 24);
    Npy.writeInt64(dir.resolve("v.npy"), new long[] {1}, 1);
    String h1 =
        new String(Files.readAllBytes(dir.resolve("v.npy")), 10, 118, StandardCharsets.ISO_8859_1);
    assertThat(h1).contains("'shape': (1,)");
  }

  @Test
  void readsVersion2Headers() throws IOException {
    String dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
    int total = 12 + dict.length() + 1;
    String text = dict + " ".repeat((64 - total % 64) % 64) + "\n";
    ByteBuffer b = ByteBuffer.allocate(12 + text.length() + 24).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(text.length());
    b.put(text.getBytes(StandardCharsets.ISO_8859_1)).putLong(4).putLong(5).putLong(6);
    Files.write(dir.resolve("v2.npy"), b.array());
    assertThat(Npy.read(dir.resolve("v2.npy")).toLongs()).containsExactly(4, 5, 6);
  }

  @Test
  void rejectsWhatItCannotReadWithTheFileName() throws IOException {
    Path fortran =
        write("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", 4);
    assertThatThrownBy(() -> Npy.read(fortran))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("fortran.npy")
        .hasMessageContaining("Fortran-order");
    Path big = write("big.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 4);
    assertThatThrownBy(() -> Npy.read(big))
        .hasMessageContaining("big.npy")
        .hasMessageContaining("big-endian");
    Path f2 = write("f2.npy", "{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", 2);
    assertThatThrownBy(() -> Npy.read(f2)).hasMessageContaining("unsupported dtype '<f2'");
    Path shortData =
        write("short.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", 16);
    assertThatThrownBy(() -> Npy.read(shortData))
        .hasMessageContaining("short.npy")
        .hasMessageContaining("truncated data");
    Files.writeString(dir.resolve("text.npy"), "hello world, not numpy");
    assertThatThrownBy(() -> Npy.read(dir.resolve("text.npy")))
        .hasMessageContaining("not a .npy file");
    assertThatThrownBy(() -> Npy.read(dir.resolve("missing.npy")))
        .hasMessageContaining("missing.npy: no such file");
    Files.write(dir.resolve("empty.npy"), new byte[0]);
    assertThatThrownBy(() -> Npy.read(dir.resolve("empty.npy"))).hasMessageContaining("empty.npy");
  }

  @Test
  void declaredSizesAreCheckedAgainstTheFileBeforeAllocating() throws IOException {
    // A version-2 header declaring a 512 MiB header in a 16-byte file, as numpy refuses it.
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(512 << 20).putInt(0);
    Path hugeHeader = Files.write(dir.resolve("hdr.npy"), b.array());
    assertThatThrownBy(() -> Npy.read(hugeHeader))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(
            hugeHeader
                + ": the .npy header declares 536870912 bytes, more than the 10000 numpy reads");
    // A plausible header whose shape needs 512 MiB, with 16 bytes of data.
    Path hugeData =
        write("data.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (134217728,), }", 16);
    assertThatThrownBy(() -> Npy.readHeader(hugeData))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            hugeData + ": truncated data: shape (134217728,) needs 536870912 bytes, file has 16");
    // A header cut short names both lengths.
    ByteBuffer c = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    c.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) 118);
    Path cut = Files.write(dir.resolve("cut.npy"), c.array());
    assertThatThrownBy(() -> Npy.read(cut))
        .hasMessage(
            cut
                + ": truncated .npy header: it declares 118 bytes, the file has 30 after the preamble");
  }

  private Path write(String name, String dict, int dataBytes) throws IOException {
    int total = 10 + dict.length() + 1;
    String text = dict + " ".repeat((64 - total % 64) % 64) + "\n";
    ByteBuffer b =
        ByteBuffer.allocate(10 + text.length() + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) text.length());
    b.put(text.getBytes(StandardCharsets.ISO_8859_1));
    Path p = dir.resolve(name);
    Files.write(p, b.array());
    return p;
  }
}
