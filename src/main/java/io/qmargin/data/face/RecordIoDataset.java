package io.qmargin.data.face;

import io.qmargin.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * An insightface training set in MXNet RecordIO ({@code train.rec} + {@code train.idx}, aligned
 * 112x112 JPEGs), read like arcface_torch's MXFaceDataset.
 *
 * <p>When record 0's header has flag > 0 it is insightface's dataset header: its labels are (first
 * identity record, end identity record); records 1 .. first-1 are images, and each identity record
 * k in [first, end) has labels (a, b): the images of class k - first are records a .. b-1.
 * Otherwise every record in the index is an image whose header label is its class. Labels are known
 * at open time without decoding; a class with no images is an error. An image record whose own
 * label disagrees with its identity range, or that fails to decode, is a {@link
 * CorruptImageException} (skipped by {@link FaceDataset#loadOrSkip}).
 */
public final class RecordIoDataset implements FaceDataset, AutoCloseable {
  private final RecordIoFile file;
  private final long[] keys;
  private final int[] labels;
  private final int numClasses;
  private final Preprocessing preprocessing;

  private RecordIoDataset(
      RecordIoFile file, long[] keys, int[] labels, int numClasses, Preprocessing preprocessing) {
    this.file = file;
    this.keys = keys;
    this.labels = labels;
    this.numClasses = numClasses;
    this.preprocessing = preprocessing;
  }

  /** Opens {@code dir/train.rec} + {@code dir/train.idx}, or a .rec file and the .idx beside it. */
  public static RecordIoDataset open(Path dirOrRec, Preprocessing preprocessing) {
    Path rec = Files.isDirectory(dirOrRec) ? dirOrRec.resolve("train.rec") : dirOrRec;
    String name = rec.getFileName().toString();
    Path idx =
        rec.resolveSibling(
            (name.endsWith(".rec") ? name.substring(0, name.length() - 4) : name) + ".idx");
    return open(rec, idx, preprocessing);
  }

  public static RecordIoDataset open(Path rec, Path idx, Preprocessing preprocessing) {
    RecordIoFile file = RecordIoFile.open(rec, idx);
    try {
      return index(file, preprocessing);
    } catch (RuntimeException e) {
      file.close();
      throw e;
    }
  }

  private static RecordIoDataset index(RecordIoFile file, Preprocessing preprocessing) {
    Path rec = file.path();
    if (file.keys().isEmpty()) {
      throw new UserInputException(rec + ": the index lists no records");
    }
    RecordIoFile.ImageHeader h0 = file.contains(0) ? header(file, 0) : null;
    if (h0 != null && h0.flag() > 0) {
      if (h0.labels().length < 2) {
        throw new UserInputException(
            rec
                + "#0: dataset header has "
                + h0.labels().length
                + " label(s), expected (first identity record, end)");
      }
      int first = (int) h0.labels()[0];
      int end = (int) h0.labels()[1];
      if (first < 1 || end < first) {
        throw new UserInputException(
            rec + "#0: bad identity record range [" + first + ", " + end + ")");
      }
      int images = first - 1;
      int[] labels = new int[images];
      Arrays.fill(labels, -1);
      for (int k = first; k < end; k++) {
        int cls = k - first;
        if (!file.contains(k)) {
          throw new UserInputException(
              rec + ": identity record " + k + " (class " + cls + ") is not in the index");
        }
        RecordIoFile.ImageHeader h = header(file, k);
        if (h.labels().length < 2) {
          throw new UserInputException(rec + "#" + k + ": identity record without an image range");
        }
        int a = (int) h.labels()[0];
        int b = (int) h.labels()[1];
        if (a >= b) {
          throw new UserInputException(
              rec + "#" + k + ": class " + cls + " has no images (range [" + a + ", " + b + "))");
        }
        if (a < 1 || b > first) {
          throw new UserInputException(
              rec
                  + "#"
                  + k
                  + ": class "
                  + cls
                  + " image range ["
                  + a
                  + ", "
                  + b
                  + ") is outside the image records 1.."
                  + (first - 1));
        }
        for (int r = a; r < b; r++) {
          labels[r - 1] = cls;
        }
      }
      long[] keys = new long[images];
      for (int i = 0; i < images; i++) {
        keys[i] = i + 1;
        if (labels[i] < 0) {
          throw new UserInputException(
              rec + "#" + keys[i] + ": image record is in no identity's range");
        }
        if (!file.contains(keys[i])) {
          throw new UserInputException(rec + ": image record " + keys[i] + " is not in the index");
        }
      }
      return new RecordIoDataset(file, keys, labels, end - first, preprocessing);
    }
    // No dataset header: every record is an image labelled by its own header (one read each).
    List<Long> all = file.keys();
    long[] keys = new long[all.size()];
    int[] labels = new int[all.size()];
    int max = -1;
    for (int i = 0; i < keys.length; i++) {
      keys[i] = all.get(i);
      float l = header(file, keys[i]).labels()[0];
      if (l < 0 || l != Math.rint(l)) {
        throw new UserInputException(
            rec + "#" + keys[i] + ": label " + l + " is not a class number");
      }
      labels[i] = (int) l;
      max = Math.max(max, labels[i]);
    }
    boolean[] seen = new boolean[max + 1];
    for (int l : labels) {
      seen[l] = true;
    }
    for (int c = 0; c <= max; c++) {
      if (!seen[c]) {
        throw new UserInputException(
            rec + ": class " + c + " has no images (labels run 0.." + max + ")");
      }
    }
    return new RecordIoDataset(file, keys, labels, max + 1, preprocessing);
  }

  private static RecordIoFile.ImageHeader header(RecordIoFile file, long key) {
    String source = file.path() + "#" + key;
    try {
      return RecordIoFile.ImageHeader.parse(file.read(key), source);
    } catch (CorruptImageException e) {
      throw new UserInputException(e.getMessage() + " (while indexing the dataset)", e);
    }
  }

  @Override
  public int size() {
    return keys.length;
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  /** The record key of sample {@code index}. */
  public long key(int index) {
    return keys[index];
  }

  @Override
  public String source(int index) {
    return file.path() + "#" + keys[index];
  }

  @Override
  public FaceImage load(int index, long epoch) {
    String source = source(index);
    byte[] record = file.read(keys[index]);
    RecordIoFile.ImageHeader h = RecordIoFile.ImageHeader.parse(record, source);
    if ((int) h.labels()[0] != labels[index]) {
      throw new CorruptImageException(
          source,
          "header label "
              + h.labels()[0]
              + " disagrees with the identity range (class "
              + labels[index]
              + ")");
    }
    RgbImage img =
        ImageDecoder.decode(Arrays.copyOfRange(record, h.payloadOffset(), record.length), source);
    return new FaceImage(
        preprocessing.apply(img, epoch, index),
        preprocessing.outputHeight(),
        preprocessing.outputWidth(),
        labels[index],
        source);
  }

  @Override
  public void close() {
    file.close();
  }
}
