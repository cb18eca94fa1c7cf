package io.qmargin;

/**
 * How text taken from a user's files appears in messages: shortened to {@value #MAX_TOKEN}
 * characters plus "…", and with control and invisible formatting characters (terminal escapes,
 * byte-order marks, zero-width spaces) written as {@code \t}, {@code \n}, {@code \r} or {@code
 * \}{@code uXXXX}, so that a message can neither flood nor drive the terminal and shows what is
 * really in the file.
 */
public final class UserText {
  private UserText() {}

  /** Characters of a value shown in a message before it is cut. */
  public static final int MAX_TOKEN = 80;

  /** Characters of a whole message shown before it is cut. */
  public static final int MAX_MESSAGE = 2000;

  /** A value from a file, in single quotes, shortened and escaped. */
  public static String quoted(String value) {
    return "'" + escape(shorten(value, MAX_TOKEN), false) + "'";
  }

  /** A whole message for the terminal: shortened and escaped, line breaks kept. */
  public static String forTerminal(String message) {
    return escape(shorten(message, MAX_MESSAGE), true);
  }

  private static String shorten(String s, int max) {
    if (s.codePointCount(0, s.length()) <= max) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, max)) + "… (" + s.length() + " characters)";
  }

  private static String escape(String s, boolean keepNewlines) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep = null;
      if (c == '\n' && !keepNewlines) {
        rep = "\\n";
      } else if (c == '\t') {
        rep = "\\t";
      } else if (c == '\r') {
        rep = "\\r";
      } else if (c != '\n'
          && (Character.isISOControl(c)
              || Character.getType(c) == Character.FORMAT
              || c == '\u2028'
              || c == '\u2029')) {
        rep = String.format("\\u%04X", (int) c);
      }
      if (rep != null && sb == null) {
        sb = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (sb != null) {
        if (rep != null) {
          sb.append(rep);
        } else {
          sb.append(c);
        }
      }
    }
    return sb == null ? s : sb.toString();
  }
}
