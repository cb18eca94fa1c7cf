package io.qmargin.data.face;

/** An image that cannot be read or decoded; {@link #source} names the file or record. */
public final class CorruptImageException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String source;

  public CorruptImageException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
    this.source = source;
  }

  public CorruptImageException(String source, String problem) {
    this(source, problem, null);
  }

  public String source() {
    return source;
  }
}
