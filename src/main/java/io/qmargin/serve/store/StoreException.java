package io.qmargin.serve.store;

/** The database failed (lost connection, full disk, a constraint the code did not expect). */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
