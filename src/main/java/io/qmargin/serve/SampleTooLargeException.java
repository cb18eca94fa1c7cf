package io.qmargin.serve;

import io.qmargin.UserInputException;

/**
 * An uploaded sample whose header declares more than the service accepts (pixels of an image,
 * seconds of audio): refused before it is decoded. A service answers it with 413.
 */
public class SampleTooLargeException extends UserInputException {
  private static final long serialVersionUID = 1L;

  public SampleTooLargeException(String message) {
    super(message);
  }
}
