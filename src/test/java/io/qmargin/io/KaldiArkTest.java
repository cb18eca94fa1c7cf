package io.qmargin.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KaldiArkTest {
  @TempDir Path dir;

  /**
   * Kaldi's binary float vector entry, byte by byte: key, space, \0B, "FV ", \4, dim (int32 LE),
   * floats LE.
   */
  private static byte[] entry(String key, float... v) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes((key + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(new byte[] {0, 'B', 'F', 'V', ' ', 4});
    writeLe(out, v.length);
    for (float x : v) {
      writeLe(out, Float.floatToIntBits(x));
    }
    return out.toByteArray();
  }

  private static void writeLe(ByteArrayOutputStream out, int v) {
    out.write(v & 0xff);
    out.write((v >>> 8) & 0xff);
    out.write((v >>> 16) & 0xff);
    out.write((v >>> 24) & 0xff);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void writesKaldisBinaryVectorsAndAnScpWithOffsetsAtTheMarker() throws IOException {
    Path ark = dir.resolve("e.ark");
    Path scp = dir.resolve("e.scp");

    KaldiArk.writeVectors(
        ark, scp, List.of("utt-a", "spk1/b.wav"), new float[] {1f, -2.5f, 0.125f, 3f, 4f, -0f}, 3);

    byte[] a = entry("utt-a", 1f, -2.5f, 0.125f);
    byte[] b = entry("spk1/b.wav", 3f, 4f, -0f);
    assertThat(Files.readAllBytes(ark)).containsExactly(concat(a, b));
    // offset = bytes before the entry + the key and its space
    assertThat(Files.readString(scp))
        .isEqualTo(
            "utt-a " + ark + ":" + 6 + "\n" + "spk1/b.wav " + ark + ":" + (a.length + 11) + "\n");
  }

  @Test
  void readsHandBuiltArchivesAndScpsBackIncludingDoubleVectors() throws IOException {
    byte[] d =
        concat(
            "dbl ".getBytes(StandardCharsets.US_ASCII),
            new byte[] {0, 'B', 'D', 'V', ' ', 4, 2, 0, 0, 0},
            java.nio.ByteBuffer.allocate(16)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putDouble(0.5)
                .putDouble(-8)
                .array());
    Path ark = dir.resolve("h.ark");
    byte[] first = entry("x", 7f);
    Files.write(ark, concat(first, d, entry("empty")));

    List<KaldiArk.Entry> all = KaldiArk.readArk(ark);
    assertThat(all).extracting(KaldiArk.Entry::key).containsExactly("x", "dbl", "empty");
    assertThat(all.get(0).vector()).containsExactly(7f);
    assertThat(all.get(1).vector()).containsExactly(0.5f, -8f);
    assertThat(all.get(2).vector()).isEmpty();

    Path scp = dir.resolve("h.scp");
    Files.writeString(scp, "dbl " + ark + ":" + (first.length + 4) + "\n\nx " + ark + ":2\n");
    List<KaldiArk.Entry> viaScp = KaldiArk.readScp(scp);
    assertThat(viaScp).extracting(KaldiArk.Entry::key).containsExactly("dbl", "x");
    assertThat(viaScp.get(0).vector()).containsExactly(0.5f, -8f);
    assertThat(viaScp.get(1).vector()).containsExactly(7f);
  }

  @Test
  void roundTripsWhatItWrites() throws IOException {
    float[] rows = new float[4 * 5];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (float) Math.sin(i);
    }
    Path ark = dir.resolve("r.ark");
    Path scp = dir.resolve("r.scp");
    KaldiArk.writeVectors(ark, scp, List.of("a", "b", "c", "d"), rows, 5);

    for (List<KaldiArk.Entry> read : List.of(KaldiArk.readArk(ark), KaldiArk.readScp(scp))) {
      assertThat(read).extracting(KaldiArk.Entry::key).containsExactly("a", "b", "c", "d");
      for (int i = 0; i < 4; i++) {
        assertThat(read.get(i).vector())
            .containsExactly(Arrays.copyOfRange(rows, 5 * i, 5 * i + 5));
      }
    }
  }

  @Test
  void malformedInputIsNamedWithFileAndPlace() throws IOException {
    Path text = dir.resolve("t.ark");
    Files.writeString(text, "utt [ 1 2 3 ]\n");
    assertThatThrownBy(() -> KaldiArk.readArk(text))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(text + ": byte 4: expected the binary marker");

    Path cut = dir.resolve("cut.ark");
    byte[] e = entry("k", 1f, 2f, 3f);
    Files.write(cut, Arrays.copyOf(e, e.length - 2));
    assertThatThrownBy(() -> KaldiArk.readArk(cut))
        .hasMessageContaining(cut + ": byte 8: vector dimension 3 needs 12 bytes, 10 remain");

    Path scp = dir.resolve("bad.scp");
    Files.writeString(scp, "a " + cut + ":2\nb no-offset.ark\n");
    assertThatThrownBy(() -> KaldiArk.readScp(scp)).hasMessageContaining(cut.toString());
    Files.writeString(scp, "b no-offset.ark\n");
    assertThatThrownBy(() -> KaldiArk.readScp(scp))
        .hasMessageContaining(scp + ":1: expected 'key ark_path:offset'");

    assertThatThrownBy(
            () ->
                KaldiArk.writeVectors(dir.resolve("s.ark"), null, List.of("a b"), new float[1], 1))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("'a b'");
    assertThat(dir.resolve("s.ark")).doesNotExist();
  }
}
