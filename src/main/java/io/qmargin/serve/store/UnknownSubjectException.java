package io.qmargin.serve.store;

/** A subject or sample that is not enrolled. */
public class UnknownSubjectException extends RuntimeException {
  public UnknownSubjectException(String message) {
    super(message);
  }
}
