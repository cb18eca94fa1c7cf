package io.qmargin;

/**
 * Bad input from the user: a malformed file, an invalid option or spec. The message names the file,
 * line or value at fault; the CLI prints it without a stack trace and exits with code 2.
 */
public class UserInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserInputException(String message) {
    super(message);
  }

  public UserInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
