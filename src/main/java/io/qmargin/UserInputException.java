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

  /**
   * Builds something from user-given values whose constructor checks them with an
   * IllegalArgumentException (whose message names the value): such a failure becomes a
   * UserInputException with the same message. For the place that knows the values came from the
   * user.
   */
  public static <T> T whenInvalid(java.util.function.Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      throw new UserInputException(e.getMessage(), e);
    }
  }
}
