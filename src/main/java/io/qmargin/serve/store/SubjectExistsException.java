package io.qmargin.serve.store;

/** A create-only enrolment of a subject id that is enrolled already. */
public class SubjectExistsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SubjectExistsException(String message) {
    super(message);
  }
}
