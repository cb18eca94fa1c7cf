package io.qmargin.data;

/**
 * A sample that cannot be read or decoded (corrupt image, truncated audio). The message starts with
 * the sample's source (file path or record). Training skips and counts such samples.
 */
public class UnreadableSampleException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String source;

  public UnreadableSampleException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
    this.source = source;
  }

  public String source() {
    return source;
  }
}
