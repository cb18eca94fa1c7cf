package io.qmargin.train;

import io.qmargin.UserInputException;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.FileErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The identities a run trained on, recorded as {@code RUN/identities.txt}: one name per line, line
 * i naming label i-1. Written when the training set has names (image folders, LFW people files), so
 * that an evaluation can warn when its pairs involve identities the model has seen.
 */
public final class TrainingIdentities {
  /** The file name inside the run directory. */
  public static final String FILE = "identities.txt";

  private TrainingIdentities() {}

  static void write(Path runDir, List<String> names) throws IOException {
    AtomicFiles.writeString(runDir.resolve(FILE), String.join("\n", names) + "\n");
  }

  /**
   * The training identities of a run directory (its {@value #FILE}) or of a list file: the first
   * field of each line, skipping blank lines and lines holding only a number, so that LFW people
   * files ({@code name<TAB>images}, with count lines) are read as well.
   */
  public static Set<String> read(Path runOrFile) {
    Path file = runOrFile;
    if (Files.isDirectory(runOrFile)) {
      file = runOrFile.resolve(FILE);
      if (!Files.isRegularFile(file)) {
        throw new UserInputException(
            runOrFile
                + ": no "
                + FILE
                + " (runs record their identities when the training set has names)");
      }
    }
    List<String> lines = FileErrors.readLines(file);
    Set<String> names = new LinkedHashSet<>();
    for (String line : lines) {
      String first = line.strip().split("\\s+")[0];
      if (!first.isEmpty() && !first.chars().allMatch(Character::isDigit)) {
        names.add(first);
      }
    }
    if (names.isEmpty()) {
      throw new UserInputException(file + ": no identity names");
    }
    return names;
  }
}
