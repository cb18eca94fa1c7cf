package io.qmargin.audio;

import io.qmargin.UserInputException;
import java.nio.file.Path;

/**
 * An audio file that cannot be decoded: truncated, corrupt, or in an encoding qmargin does not
 * read. The message starts with the path. Data loaders catch this type to skip and count bad files
 * instead of stopping a training run.
 */
public class CorruptAudioException extends UserInputException {
  private static final long serialVersionUID = 1L;

  private final transient Path path;

  public CorruptAudioException(Path path, String problem) {
    super(path + ": " + problem);
    this.path = path;
  }

  public CorruptAudioException(Path path, String problem, Throwable cause) {
    super(path + ": " + problem, cause);
    this.path = path;
  }

  /** The file at fault. */
  public Path path() {
    return path;
  }
}
