package io.qmargin.io;

import io.qmargin.UserInputException;
import java.nio.file.Path;

/**
 * Reads and validates the inputs of {@code qmargin posterior}: cosines (B, n) as float32 or float64
 * and labels (B) as int32 or int64. Every problem is reported with the file and the offending
 * index.
 */
public final class CosineBatchFiles {
  private CosineBatchFiles() {}

  /** Validated cosines (flat, C order) and labels. */
  public record CosineBatch(
      int rows, int classes, double[] cosines, long[] labels, Npy.DType cosineType) {}

  public static CosineBatch read(Path cosinesFile, Path labelsFile) {
    Npy.Array c = Npy.read(cosinesFile).requireRank(2, "cosines").requireFloating("cosines");
    Npy.Array y = Npy.read(labelsFile).requireRank(1, "labels").requireInteger("labels");
    if (c.shape()[0] > Integer.MAX_VALUE || c.shape()[1] > Integer.MAX_VALUE) {
      throw new UserInputException(cosinesFile + ": too large");
    }
    int rows = (int) c.shape()[0];
    int classes = (int) c.shape()[1];
    if (rows == 0 || classes < 2) {
      throw new UserInputException(
          cosinesFile
              + ": need at least one row and two classes, got shape "
              + Npy.shapeString(c.shape()));
    }
    if (y.shape()[0] != rows) {
      throw new UserInputException(
          labelsFile
              + ": "
              + y.shape()[0]
              + " labels for "
              + rows
              + " rows of cosines in "
              + cosinesFile);
    }
    double[] cos = c.toDoubles();
    for (int i = 0; i < cos.length; i++) {
      double v = cos[i];
      if (!Double.isFinite(v) || Math.abs(v) > 1) {
        throw new UserInputException(
            cosinesFile
                + ": cosine at row "
                + (i / classes)
                + ", column "
                + (i % classes)
                + " is "
                + v
                + (Double.isFinite(v) ? " (|cos| > 1)" : " (not a finite number)"));
      }
    }
    long[] labels = y.toLongs();
    for (int i = 0; i < rows; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new UserInputException(
            labelsFile
                + ": label "
                + labels[i]
                + " at row "
                + i
                + " is out of range [0, "
                + classes
                + ")");
      }
    }
    return new CosineBatch(rows, classes, cos, labels, c.dtype());
  }
}
