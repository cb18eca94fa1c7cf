package io.qmargin.cli;

import io.qmargin.UserInputException;
import io.qmargin.UserText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * Turns errors caused by bad input (a malformed file, an invalid loss spec), by the system (a file
 * that cannot be read or written, a full disk, a refused connection) and running out of memory
 * into one clear line on stderr and exit code 2, instead of a stack trace. Anything else is a bug
 * and keeps its trace. Every message is shortened and escaped ({@link UserText#forTerminal}).
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
    Throwable cause = ex;
    if (cause instanceof UncheckedIOException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String prefix = "qmargin " + cl.getCommandName() + ": ";
    if (cause instanceof UserInputException || cause instanceof IllegalArgumentException) {
      cl.getErr().println(prefix + "error: " + UserText.forTerminal(String.valueOf(cause.getMessage())));
      return 2;
    }
    if (cause instanceof IOException io) {
      cl.getErr().println(prefix + "I/O error: " + UserText.forTerminal(describe(io)));
      return 2;
    }
    ex.printStackTrace(cl.getErr());
    return 1;
  }

  /**
   * An I/O failure in words: file-system errors name their file (their bare message is just the
   * path, or the path and the system's reason); others keep their message, or their kind when
   * they have none (a ConnectException may say nothing at all).
   */
  static String describe(IOException e) {
    if (e instanceof FileSystemException fs && fs.getFile() != null) {
      String what = fs instanceof NoSuchFileException ? "no such file or directory"
          : fs instanceof AccessDeniedException ? "permission denied"
          : fs instanceof FileAlreadyExistsException ? "already exists (a file where a folder is needed?)"
          : fs.getReason() != null ? fs.getReason() : e.getClass().getSimpleName();
      return fs.getFile() + (fs.getOtherFile() != null ? " -> " + fs.getOtherFile() : "") + ": " + what;
    }
    String kind = e.getClass().getSimpleName();
    if (e.getMessage() == null || e.getMessage().isBlank()) {
      return kind;
    }
    return e.getClass() == IOException.class ? e.getMessage() : kind + ": " + e.getMessage();
  }
}
