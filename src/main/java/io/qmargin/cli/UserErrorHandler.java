package io.qmargin.cli;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns errors caused by bad input (a malformed file, an invalid loss spec) into one clear line on
 * stderr and exit code 2, instead of a stack trace. Anything else is a bug and keeps its trace.
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
    Throwable cause = ex;
    if (cause instanceof UncheckedIOException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof UserInputException || cause instanceof IllegalArgumentException) {
      cl.getErr().println("qmargin " + cl.getCommandName() + ": error: " + cause.getMessage());
      return 2;
    }
    if (cause instanceof IOException) {
      cl.getErr().println("qmargin " + cl.getCommandName() + ": I/O error: " + cause);
      return 2;
    }
    ex.printStackTrace(cl.getErr());
    return 1;
  }
}
