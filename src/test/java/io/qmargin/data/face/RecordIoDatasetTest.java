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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes .rec/.idx files byte for byte as dmlc-core's RecordIOWriter and mxnet.recordio.pack do
 * (independently of the reader under test) and reads them back.
 */
class RecordIoDatasetTest {
  private static final byte[] MAGIC_LE = {0x0a, 0x23, (byte) 0xd7, (byte) 0xce};

  @TempDir Path dir;

  /** dmlc RecordIOWriter::WriteRecord: split at 4-aligned magic words, cflag 1/2/3, pad to 4. */
  private static void writeRecord(ByteArrayOutputStream out, byte[] buf) {
    int len = buf.length;
    int lowerAlign = (len >> 2) << 2;
    int dptr = 0;
    for (int i = 0; i < lowerAlign; i += 4) {
      if (buf[i] == MAGIC_LE[0]
          && buf[i + 1] == MAGIC_LE[1]
          && buf[i + 2] == MAGIC_LE[2]
          && buf[i + 3] == MAGIC_LE[3]) {
        part(out, dptr == 0 ? 1 : 2, buf, dptr, i - dptr);
        dptr = i + 4;
      }
    }
    part(out, dptr != 0 ? 3 : 0, buf, dptr, len - dptr);
    int pad = ((len + 3) >> 2 << 2) - len;
    out.write(new byte[pad], 0, pad);
  }

  private static void part(ByteArrayOutputStream out, int cflag, byte[] buf, int off, int n) {
    out.write(MAGIC_LE, 0, 4);
    out.write(le32((cflag << 29) | n), 0, 4);
    out.write(buf, off, n);
  }

  private static byte[] le32(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  /**
   * mxnet.recordio.pack: struct 'IfQQ' (flag, label, id, id2), then flag float32 labels, then
   * bytes.
   */
  private static byte[] pack(float[] labels, long id, byte[] image) {
    boolean scalar = labels.length == 1;
    ByteBuffer b =
        ByteBuffer.allocate(24 + (scalar ? 0 : 4 * labels.length) + image.length)
            .order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(scalar ? 0 : labels.length).putFloat(scalar ? labels[0] : 0f).putLong(id).putLong(0);
    if (!scalar) {
      for (float l : labels) {
        b.putFloat(l);
      }
    }
    b.put(image);
    return b.array();
  }

  /** Writes rec + idx (mx.recordio.MXIndexedRecordIO.write_idx: "key\toffset\n"). */
  private Path write(String name, List<byte[]> records, List<Integer> keys) throws IOException {
    ByteArrayOutputStream rec = new ByteArrayOutputStream();
    StringBuilder idx = new StringBuilder();
    for (int i = 0; i < records.size(); i++) {
      idx.append(keys.get(i)).append('\t').append(rec.size()).append('\n');
      writeRecord(rec, records.get(i));
    }
    Path recFile = dir.resolve(name + ".rec");
    Files.write(recFile, rec.toByteArray());
    Files.writeString(dir.resolve(name + ".idx"), idx.toString(), StandardCharsets.US_ASCII);
    return recFile;
  }

  private static byte[] solid(int rgb) {
    return TestImages.encode(TestImages.image(112, 112, (x, y) -> rgb), "png");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void readsInsightfaceLayoutWithHeaderAndIdentityRecords() throws IOException {
    int[] colours = {0xff0000, 0xee0000, 0x00ff00, 0x0000ff, 0x0000ee};
    List<byte[]> recs = new ArrayList<>();
    List<Integer> keys = new ArrayList<>();
    // Record 0: identity records are 6..8 (labels (6, 9)); records 1..5 are images.
    recs.add(pack(new float[] {6, 9}, 0, new byte[0]));
    int[] classOf = {0, 0, 1, 2, 2};
    for (int i = 0; i < 5; i++) {
      byte[] img = solid(colours[i]);
      if (i == 2) {
        // Trailing bytes after PNG's IEND holding the magic word at a 4-aligned payload offset:
        // the writer must split this record into parts and the reader must rejoin them.
        int payloadStart = 24 + img.length;
        int pad = (4 - payloadStart % 4) % 4;
        img =
            concat(
                concat(img, new byte[pad]),
                concat(MAGIC_LE, concat(new byte[] {1, 2, 3, 4}, MAGIC_LE)));
      }
      if (i == 4) {
        img = "this is not an image".getBytes(StandardCharsets.US_ASCII);
      }
      recs.add(pack(new float[] {classOf[i]}, i + 1, img));
    }
    recs.add(pack(new float[] {1, 3}, 0, new byte[0]));
    recs.add(pack(new float[] {3, 4}, 0, new byte[0]));
    recs.add(pack(new float[] {4, 6}, 0, new byte[0]));
    for (int k = 0; k < recs.size(); k++) {
      keys.add(k);
    }
    Path rec = write("train", recs, keys);

    try (RecordIoFile f = RecordIoFile.open(rec, dir.resolve("train.idx"))) {
      assertThat(f.read(3)).isEqualTo(recs.get(3)); // the split record comes back whole
      assertThat(f.read(0)).isEqualTo(recs.get(0));
    }
    int offset3 =
        Integer.parseInt(Files.readAllLines(dir.resolve("train.idx")).get(3).split("\t")[1]);
    assertThat(
            ByteBuffer.wrap(Files.readAllBytes(rec))
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .getInt(offset3 + 4)
                >>> 29)
        .isEqualTo(1);
    try (RecordIoDataset ds =
        RecordIoDataset.open(dir, Preprocessing.insightface().deterministic())) {
      assertThat(ds.size()).isEqualTo(5);
      assertThat(ds.numClasses()).isEqualTo(3);
      assertThat(new int[] {ds.label(0), ds.label(1), ds.label(2), ds.label(3), ds.label(4)})
          .containsExactly(classOf);
      FaceImage first = ds.load(0, 0);
      assertThat(first.label()).isZero();
      assertThat(first.at(0, 10, 10)).isEqualTo(1f);
      assertThat(first.at(1, 10, 10)).isEqualTo(-1f);
      assertThat(first.source()).endsWith("train.rec#1");
      FaceImage split = ds.load(2, 0);
      assertThat(split.label()).isEqualTo(1);
      assertThat(split.at(1, 50, 50)).isEqualTo(1f);
      CorruptImages corrupt = CorruptImages.silent();
      assertThat(ds.loadOrSkip(4, 0, corrupt)).isEmpty();
      assertThat(corrupt.count()).isEqualTo(1);
      assertThat(corrupt.firstMessages()).singleElement().asString().contains("train.rec#5");
    }
  }

  @Test
  void splitRecordFramingMatchesDmlc() throws IOException {
    // Magic words at offsets 4 and 12 (aligned, so split) and 17 (unaligned, kept as data).
    byte[] payload =
        concat(
            concat(new byte[] {9, 9, 9, 9}, MAGIC_LE),
            concat(new byte[] {7, 7, 7, 7}, concat(MAGIC_LE, concat(new byte[] {5}, MAGIC_LE))));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeRecord(out, payload);
    byte[] bytes = out.toByteArray();
    // Parts: cflag 1 with 4 bytes, cflag 2 with 4 bytes, cflag 3 with the last 5 bytes + 3 padding.
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt(0)).isEqualTo(RecordIoFile.MAGIC);
    assertThat(b.getInt(4)).isEqualTo((1 << 29) | 4);
    assertThat(b.getInt(12)).isEqualTo(RecordIoFile.MAGIC);
    assertThat(b.getInt(16)).isEqualTo((2 << 29) | 4);
    assertThat(b.getInt(24)).isEqualTo(RecordIoFile.MAGIC);
    assertThat(b.getInt(28)).isEqualTo((3 << 29) | 5);
    assertThat(bytes.length).isEqualTo(40);
    Path rec = write("split", List.of(payload, new byte[] {1, 2, 3}), List.of(10, 11));
    try (RecordIoFile f = RecordIoFile.open(rec, dir.resolve("split.idx"))) {
      assertThat(f.keys()).containsExactly(10L, 11L);
      assertThat(f.read(10)).isEqualTo(payload);
      assertThat(f.read(11)).containsExactly(1, 2, 3);
    }
  }

  @Test
  void withoutHeaderEveryRecordIsAnImageLabelledByItsHeader() throws IOException {
    Path rec =
        write(
            "plain",
            List.of(
                pack(new float[] {1}, 0, solid(0x00ff00)),
                pack(new float[] {0}, 1, solid(0xff0000)),
                pack(new float[] {1}, 2, solid(0x0000ff))),
            List.of(0, 1, 2));
    try (RecordIoDataset ds =
        RecordIoDataset.open(rec, Preprocessing.insightface().deterministic())) {
      assertThat(ds.size()).isEqualTo(3);
      assertThat(ds.numClasses()).isEqualTo(2);
      assertThat(ds.label(0)).isEqualTo(1);
      assertThat(ds.load(1, 0).at(0, 0, 0)).isEqualTo(1f);
    }
  }

  @Test
  void classWithoutImagesIsAClearError() throws IOException {
    Path gap =
        write(
            "gap",
            List.of(pack(new float[] {0}, 0, solid(0)), pack(new float[] {2}, 1, solid(0))),
            List.of(0, 1));
    assertThatThrownBy(() -> RecordIoDataset.open(gap, Preprocessing.insightface()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("class 1 has no images");
    List<byte[]> recs =
        List.of(
            pack(new float[] {3, 5}, 0, new byte[0]),
            pack(new float[] {0}, 1, solid(0)),
            pack(new float[] {1}, 2, solid(0)),
            pack(new float[] {1, 3}, 0, new byte[0]),
            pack(new float[] {3, 3}, 0, new byte[0]));
    Path empty = write("empty", recs, List.of(0, 1, 2, 3, 4));
    assertThatThrownBy(() -> RecordIoDataset.open(empty, Preprocessing.insightface()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("empty.rec#4")
        .hasMessageContaining("class 1 has no images");
  }

  @Test
  void damagedFilesAreReportedWithTheirPath() throws IOException {
    Path rec = write("bad", List.of(pack(new float[] {0}, 0, solid(0))), List.of(0));
    Files.writeString(dir.resolve("bad.idx"), "0\t0\nnot a line\n");
    assertThatThrownBy(() -> RecordIoDataset.open(rec, Preprocessing.insightface()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("bad.idx:2");
    Files.writeString(dir.resolve("bad.idx"), "0\t4\n");
    assertThatThrownBy(() -> RecordIoDataset.open(rec, Preprocessing.insightface()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("bad.rec#0")
        .hasMessageContaining("magic");
    assertThatThrownBy(
            () -> RecordIoDataset.open(dir.resolve("none.rec"), Preprocessing.insightface()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("none.rec");
  }
}
