package io.qmargin.data;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Listing a data folder the way every reader of qmargin does. */
public final class DataFiles {
  private DataFiles() {}

  /**
   * Regular files under {@code root} at any depth (following symbolic links), skipping hidden files
   * and anything inside a hidden folder, in path order.
   */
  public static List<Path> visibleFilesBelow(Path root) {
    try (Stream<Path> s = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
      return s.filter(p -> !p.equals(root))
          .filter(p -> !hiddenBelow(root, p))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new UserInputException(root + ": cannot list the folder (" + e.getMessage() + ")", e);
    }
  }

  private static boolean hiddenBelow(Path root, Path p) {
    for (Path part : root.relativize(p)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
