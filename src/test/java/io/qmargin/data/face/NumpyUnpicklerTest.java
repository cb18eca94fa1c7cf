package io.qmargin.data.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.razorvine.pickle.PickleException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NumpyUnpicklerTest {
  @TempDir Path dir;

  private static final int PROTO = 0x80;
  private static final int BINBYTES8 = 0x8e;

  /** Opcode bytes as given; ints and chars are bytes, strings ASCII. */
  private static byte[] pickle(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object p : parts) {
      if (p instanceof Integer i) {
        out.write(i);
      } else if (p instanceof Character c) {
        out.write(c);
      } else {
        out.writeBytes(((String) p).getBytes(StandardCharsets.ISO_8859_1));
      }
    }
    return out.toByteArray();
  }

  /** The 13-byte pickle of the report: BINBYTES8 declaring 2,000,000,000 bytes, followed by two. */
  private static final byte[] DECLARES_2_GB =
      pickle(PROTO, 4, BINBYTES8, 0x00, 0x94, 0x35, 0x77, 0, 0, 0, 0, "ab");

  @Test
  void aShortFileDeclaringGigabytesFailsAtItsEndWithoutAllocatingThem() throws Exception {
    assertThat(DECLARES_2_GB).hasSize(13);
    long before = usedHeap();

    assertThatThrownBy(() -> new NumpyUnpickler().loads(DECLARES_2_GB))
        .isInstanceOf(PickleException.class)
        .hasMessageContaining("declares 2000000000 bytes but the file ends after 2");
    assertThat(usedHeap() - before).as("bytes allocated").isLessThan(100L << 20);

    Path bin = Files.write(dir.resolve("lfw.bin"), DECLARES_2_GB);
    assertThatThrownBy(() -> ValidationBin.read(bin))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(bin + ": ")
        .hasMessageContaining("declares 2000000000 bytes");
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  @Test
  void sizedItemsStillDecodeAsRazorvineDecodesThem() throws Exception {
    byte[] p =
        pickle(
            PROTO, 4, ']', '(', 'X', 3, 0, 0, 0, "abc", // BINUNICODE
            'T', 2, 0, 0, 0, "hi", // BINSTRING
            'B', 3, 0, 0, 0, "xyz", // BINBYTES
            0x8d, 1, 0, 0, 0, 0, 0, 0, 0, "u", // BINUNICODE8
            0x8b, 2, 0, 0, 0, 0x01, 0x01, // LONG4: 257
            BINBYTES8, 0, 0, 0, 0, 0, 0, 0, 0, // empty bytes
            'e', '.');

    List<?> items = (List<?>) new NumpyUnpickler().loads(p);

    assertThat(items).hasSize(6);
    assertThat(items.get(0)).isEqualTo("abc");
    assertThat(items.get(1)).isEqualTo("hi");
    assertThat((byte[]) items.get(2)).containsExactly('x', 'y', 'z');
    assertThat(items.get(3)).isEqualTo("u");
    assertThat(((Number) items.get(4)).longValue()).isEqualTo(257);
    assertThat((byte[]) items.get(5)).isEmpty();
  }
}
