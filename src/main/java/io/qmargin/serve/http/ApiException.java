package io.qmargin.serve.http;

/**
 * A request the service refuses: its HTTP status (4xx) and a message naming the problem, sent to
 * the client as {@code {"error": message, "status": status}}.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  public ApiException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
