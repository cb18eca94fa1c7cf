package io.qmargin.io;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * I/O failures in words, for the places that open or write a user's file: a file-system error there
 * becomes a {@link UserInputException} naming the file and what went wrong, which the CLI prints as
 * one line; other I/O failures stay exceptions with their stack trace.
 */
public final class FileErrors {
  private FileErrors() {}

  /** The lines of a user's text file; a failure to read it is a user error naming the file. */
  public static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read (" + describe(e) + ")", e);
    }
  }

  /**
   * The file-system error as a user error: "FILE: permission denied", "FILE: no such file or
   * directory", ...
   */
  public static UserInputException named(FileSystemException e) {
    return new UserInputException(describe(e), e);
  }

  /**
   * An I/O failure in words: file-system errors name their file (their bare message is just the
   * path, or the path and the system's reason); others keep their message, or their kind when they
   * have none (a ConnectException may say nothing at all).
   */
  public static String describe(IOException e) {
    if (e instanceof FileSystemException fs && fs.getFile() != null) {
      String what =
          fs instanceof NoSuchFileException
              ? "no such file or directory"
              : fs instanceof AccessDeniedException
                  ? "permission denied"
                  : fs instanceof FileAlreadyExistsException
                      ? "already exists (a file where a folder is needed?)"
                      : fs.getReason() != null ? fs.getReason() : e.getClass().getSimpleName();
      return fs.getFile()
          + (fs.getOtherFile() != null ? " -> " + fs.getOtherFile() : "")
          + ": "
          + what;
    }
    String kind = e.getClass().getSimpleName();
    if (e.getMessage() == null || e.getMessage().isBlank()) {
      return kind;
    }
    return e.getClass() == IOException.class ? e.getMessage() : kind + ": " + e.getMessage();
  }
}
