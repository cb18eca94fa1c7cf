package io.qmargin.cli;

import io.qmargin.UserInputException;
import io.qmargin.UserText;
import picocli.CommandLine;

/**
 * Prints a {@link UserInputException} (bad input: a malformed file, an invalid option or spec, a
 * file that cannot be read or written, named where it is known) as one clear line on stderr and
 * exits with code 2. Any other exception is a bug, or a failure no code has explained to the user,
 * and keeps its stack trace (exit code 1). Every message is shortened and escaped ({@link
 * UserText#forTerminal}).
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
    if (ex instanceof UserInputException) {
      cl.getErr()
          .println(
              "qmargin "
                  + cl.getCommandName()
                  + ": error: "
                  + UserText.forTerminal(String.valueOf(ex.getMessage())));
      return 2;
    }
    ex.printStackTrace(cl.getErr());
    return 1;
  }
}
