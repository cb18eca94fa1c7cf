package io.qmargin.eval.protocol;

import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.io.TextScanner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The IJB-B / IJB-C 1:1 meta files of the insightface release: {@code <set>_face_tid_mid.txt}
 * ({@code image template_id media_id} per line; row i of the feature matrix is line i), {@code
 * <set>_name_5pts_score.txt} ({@code image x1 y1 ... x5 y5 detector_score}, same images in the same
 * order) and {@code <set>_template_pair_label.txt} ({@code template_1 template_2 label}).
 *
 * @param images image names, in file order
 * @param templateIds template id of each image
 * @param mediaIds media id of each image
 */
public record IjbMeta(Path file, String[] images, long[] templateIds, long[] mediaIds) {

  public int size() {
    return images.length;
  }

  public static IjbMeta readFaceTidMid(Path file, Progress progress) {
    List<String> names = new ArrayList<>();
    long[] tid = new long[1024];
    long[] mid = new long[1024];
    try (Progress p = progress.start("reading " + file.getFileName(), LabeledScores.sizeOf(file));
        TextScanner sc = new TextScanner(file, p)) {
      while (sc.next()) {
        sc.expectFields(3, "image template_id media_id");
        int n = names.size();
        if (n == tid.length) {
          tid = Arrays.copyOf(tid, n * 2);
          mid = Arrays.copyOf(mid, n * 2);
        }
        names.add(sc.field(0));
        tid[n] = sc.parseLong(1, "template id");
        mid[n] = sc.parseLong(2, "media id");
      }
    }
    if (names.isEmpty()) {
      throw new UserInputException(file + ": no images (empty file?)");
    }
    int n = names.size();
    return new IjbMeta(
        file, names.toArray(new String[0]), Arrays.copyOf(tid, n), Arrays.copyOf(mid, n));
  }

  /**
   * Detector (faceness) scores from the 5-points file: the last field of each line, which must list
   * the images of this meta file in the same order.
   */
  public float[] readDetectorScores(Path file, Progress progress) {
    float[] out = new float[size()];
    int n = 0;
    try (Progress p = progress.start("reading " + file.getFileName(), LabeledScores.sizeOf(file));
        TextScanner sc = new TextScanner(file, p)) {
      while (sc.next()) {
        if (sc.fieldCount() < 2) {
          throw sc.error("expected 'image x1 y1 ... x5 y5 detector_score'");
        }
        if (n >= out.length) {
          throw sc.error("more lines than the " + size() + " images of " + this.file);
        }
        if (!sc.fieldEquals(0, images[n]) && !sc.field(0).equals(images[n])) {
          throw sc.error(
              "image '"
                  + sc.field(0)
                  + "' where "
                  + this.file
                  + " has '"
                  + images[n]
                  + "' (line "
                  + (n + 1)
                  + "): the files must list the same images in the same order");
        }
        double s = sc.finiteDouble(sc.fieldCount() - 1, "detector score");
        if (s < 0) {
          throw sc.error("detector score " + s + " is negative");
        }
        out[n++] = (float) s;
      }
    }
    if (n != out.length) {
      throw new UserInputException(
          file + ": " + n + " lines for the " + size() + " images of " + this.file);
    }
    return out;
  }
}
