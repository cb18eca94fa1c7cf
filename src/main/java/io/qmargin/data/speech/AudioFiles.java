package io.qmargin.data.speech;

import io.qmargin.UserInputException;
import io.qmargin.data.DataFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** File listing shared by the folder readers: audio extensions, hidden entries, name order. */
final class AudioFiles {
  private AudioFiles() {}

  /** Extensions qmargin decodes (by content; the extension only selects files). */
  static final Set<String> AUDIO_EXTENSIONS = Set.of("wav", "flac", "ogg");

  /** Audio qmargin cannot decode; counted so that an error can say why a folder looks empty. */
  static final Set<String> UNREADABLE_AUDIO =
      Set.of("m4a", "aac", "mp3", "opus", "sph", "gsm", "g722", "ulaw", "alaw", "wma");

  static String extension(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  static boolean isAudio(Path p) {
    return AUDIO_EXTENSIONS.contains(extension(p));
  }

  static boolean isUnreadableAudio(Path p) {
    return UNREADABLE_AUDIO.contains(extension(p));
  }

  static boolean hidden(Path p) {
    return p.getFileName().toString().startsWith(".");
  }

  /** Entries of {@code dir} that are not hidden, in name order. */
  static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !hidden(p)).sorted().toList();
    } catch (IOException e) {
      throw new UserInputException(dir + ": cannot list the folder (" + e.getMessage() + ")", e);
    }
  }

  /** Sub-folders of {@code dir} (not hidden), in name order. */
  static List<Path> subfolders(Path dir) {
    return list(dir).stream().filter(Files::isDirectory).toList();
  }

  /**
   * Regular files under {@code dir} at any depth (following symbolic links), skipping hidden files
   * and folders, in path order.
   */
  static List<Path> walk(Path dir) {
    return DataFiles.visibleFilesBelow(dir);
  }

  /** {@code p} relative to {@code root} with '/' separators (an utterance id). */
  static String relativeId(Path root, Path p) {
    StringBuilder b = new StringBuilder();
    for (Path part : root.relativize(p)) {
      if (b.length() > 0) {
        b.append('/');
      }
      b.append(part);
    }
    return b.toString();
  }
}
