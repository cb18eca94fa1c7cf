package io.qmargin.data.face;

import io.qmargin.UserInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An insightface validation set ({@code lfw.bin}, {@code cfp_fp.bin}, {@code agedb_30.bin}): a
 * Python pickle of the pair {@code (bins, issame_list)}, where {@code bins} holds 2N encoded images
 * (JPEG/PNG bytes; pair k is images 2k and 2k+1) and {@code issame_list} N booleans (true: same
 * person). Read with razorvine's unpickler, so files pickled by Python 2 (str) and Python 3 (bytes,
 * any protocol up to 5) both load; images stored as 1-D uint8 numpy arrays and flags stored as a
 * numpy bool array are accepted too (see {@link NumpyUnpickler}).
 */
public record ValidationBin(Path file, List<byte[]> images, boolean[] issame) {

  public ValidationBin {
    if (images.size() != 2 * issame.length) {
      throw new UserInputException(
          file
              + ": "
              + images.size()
              + " images for "
              + issame.length
              + " pairs (expected 2 per pair)");
    }
    int same = 0;
    for (boolean b : issame) {
      same += b ? 1 : 0;
    }
    if (same == 0 || same == issame.length) {
      throw new UserInputException(
          file
              + ": "
              + issame.length
              + (issame.length == 1 ? " pair, " : " pairs, ")
              + same
              + " of the same identity: a "
              + "validation set needs at least one same-identity and one different-identity pair");
    }
  }

  /** The set's name: the file name without {@code .bin} (lfw, cfp_fp, agedb_30). */
  public String name() {
    String n = file.getFileName().toString();
    return n.endsWith(".bin") ? n.substring(0, n.length() - 4) : n;
  }

  public int pairs() {
    return issame.length;
  }

  /** Image {@code i} (0..2N-1), preprocessed without random augmentation, optionally mirrored. */
  public FaceImage load(int i, Preprocessing preprocessing, boolean flip) {
    String source = file + "#" + i;
    RgbImage img = ImageDecoder.decode(images.get(i), source);
    return new FaceImage(
        preprocessing.apply(img, flip),
        preprocessing.outputHeight(),
        preprocessing.outputWidth(),
        -1,
        source);
  }

  public static ValidationBin read(Path file) {
    Object top;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      NumpyUnpickler unpickler = new NumpyUnpickler();
      top = unpickler.load(in);
      unpickler.close();
    } catch (RuntimeException e) {
      // PickleException, but razorvine also reports malformed input as IndexOutOfBounds or
      // ClassCast.
      throw new UserInputException(
          file + ": not a readable validation .bin pickle (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    Object[] pair;
    if (top instanceof Object[] t) {
      pair = t;
    } else if (top instanceof List<?> l) {
      pair = l.toArray();
    } else {
      throw new UserInputException(
          file + ": expected a pickled pair (bins, issame_list), got " + describe(top));
    }
    if (pair.length != 2) {
      throw new UserInputException(
          file + ": expected a pickled pair (bins, issame_list), got " + pair.length + " elements");
    }
    return new ValidationBin(file, images(file, pair[0]), flags(file, pair[1]));
  }

  private static List<byte[]> images(Path file, Object bins) {
    if (!(bins instanceof List<?> list)) {
      throw new UserInputException(
          file + ": bins is " + describe(bins) + ", expected a list of encoded images");
    }
    List<byte[]> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      Object o = list.get(i);
      if (o instanceof byte[] b) {
        out.add(b);
      } else if (o instanceof String s) {
        out.add(s.getBytes(StandardCharsets.ISO_8859_1)); // a Python 2 str: one char per byte
      } else if (o instanceof NumpyUnpickler.NdArray a && a.isBytes() && a.shape().length == 1) {
        out.add(a.data());
      } else {
        throw new UserInputException(
            file
                + ": image "
                + i
                + " is "
                + describe(o)
                + "; expected encoded image bytes (decoded pixel arrays are not supported)");
      }
    }
    return out;
  }

  private static boolean[] flags(Path file, Object issame) {
    if (issame instanceof NumpyUnpickler.NdArray a && a.dtype().equals("b1")) {
      boolean[] f = new boolean[a.data().length];
      for (int i = 0; i < f.length; i++) {
        f[i] = a.data()[i] != 0;
      }
      return f;
    }
    if (!(issame instanceof List<?> list)) {
      throw new UserInputException(
          file + ": issame_list is " + describe(issame) + ", expected a list of booleans");
    }
    boolean[] f = new boolean[list.size()];
    for (int i = 0; i < f.length; i++) {
      Object o = list.get(i);
      if (o instanceof Boolean b) {
        f[i] = b;
      } else if (o instanceof Number n && (n.intValue() == 0 || n.intValue() == 1)) {
        f[i] = n.intValue() == 1;
      } else {
        throw new UserInputException(
            file + ": issame_list[" + i + "] is " + describe(o) + ", expected a boolean");
      }
    }
    return f;
  }

  private static String describe(Object o) {
    return o == null
        ? "None"
        : o instanceof NumpyUnpickler.NdArray a
            ? a.toString()
            : "a " + o.getClass().getSimpleName();
  }
}
