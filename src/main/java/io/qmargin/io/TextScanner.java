package io.qmargin.io;

import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.UserText;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a whitespace-separated text file line by line, fast enough for 10^8-line score files: it
 * splits fields in a byte buffer and parses numbers without creating strings. A {@code #} at the
 * start of a line or after whitespace starts a comment (inside a field, as in a key {@code id#2},
 * it is part of the field); blank lines (after removing comments) are skipped. A UTF-8 byte-order
 * mark at the start of the file is skipped. Every error it raises names the file and the 1-based
 * line number, as {@code file:line: message}, with the offending value shortened and escaped
 * ({@link UserText#quoted}).
 */
public final class TextScanner implements Closeable {
  private final Path file;
  private final InputStream in;
  private final Progress progress;
  private byte[] buf = new byte[1 << 20];
  private int pos;
  private int limit;
  private boolean eof;
  private boolean started;
  private long lineNumber;
  private int[] starts = new int[16];
  private int[] ends = new int[16];
  private int fieldCount;

  public TextScanner(Path file) {
    this(file, Progress.NONE);
  }

  /** Opens the file; progress receives bytes read (start it with the file size). */
  public TextScanner(Path file, Progress progress) {
    this.file = file;
    this.progress = progress;
    if (Files.isDirectory(file)) {
      throw new UserInputException(file + ": is a directory, not a file");
    }
    try {
      this.in = Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new UserInputException(file + ": no such file");
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  public Path file() {
    return file;
  }

  /** 1-based number of the current line. */
  public long lineNumber() {
    return lineNumber;
  }

  /** Advances to the next line with at least one field; false at the end of the file. */
  public boolean next() {
    if (!started) {
      started = true;
      skipByteOrderMark();
    }
    while (true) {
      int nl = findNewline();
      if (nl < 0) {
        return false;
      }
      lineNumber++;
      int end = nl;
      split(pos, end);
      pos = Math.min(nl + 1, limit);
      if (fieldCount > 0) {
        return true;
      }
    }
  }

  private void skipByteOrderMark() {
    while (limit < 3 && !eof) {
      fill();
    }
    if (limit >= 3 && buf[0] == (byte) 0xEF && buf[1] == (byte) 0xBB && buf[2] == (byte) 0xBF) {
      pos = 3;
    }
  }

  /** Index of the end of the current line in buf (a '\n' or the end of the data), or -1 at EOF. */
  private int findNewline() {
    int from = pos;
    while (true) {
      for (int i = from; i < limit; i++) {
        if (buf[i] == '\n') {
          return i;
        }
      }
      if (eof) {
        if (pos < limit) {
          return limit; // last line without a newline
        }
        return -1;
      }
      from = limit - pos;
      fill();
    }
  }

  private void fill() {
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, limit - pos);
      limit -= pos;
      pos = 0;
    }
    if (limit == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2); // a line longer than the buffer
    }
    try {
      int n = in.read(buf, limit, buf.length - limit);
      if (n < 0) {
        eof = true;
      } else {
        limit += n;
        progress.step(n);
      }
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private void split(int from, int to) {
    fieldCount = 0;
    int i = from;
    while (i < to) {
      byte b = buf[i];
      if (b == '#') {
        break; // at the start of a line or after whitespace: a comment
      }
      if (b == ' ' || b == '\t' || b == '\r' || b == '\f' || b == 0x0B) {
        i++;
        continue;
      }
      int s = i;
      while (i < to) {
        byte c = buf[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0B) {
          break;
        }
        i++;
      }
      if (fieldCount == starts.length) {
        starts = Arrays.copyOf(starts, fieldCount * 2);
        ends = Arrays.copyOf(ends, fieldCount * 2);
      }
      starts[fieldCount] = s;
      ends[fieldCount] = i;
      fieldCount++;
    }
  }

  public int fieldCount() {
    return fieldCount;
  }

  /** Throws a file:line error unless the line has exactly n fields. */
  public void expectFields(int n, String layout) {
    if (fieldCount != n) {
      throw error("expected " + n + " fields '" + layout + "', got " + fieldCount);
    }
  }

  public String field(int i) {
    return new String(buf, starts[i], ends[i] - starts[i], StandardCharsets.UTF_8);
  }

  public boolean fieldEquals(int i, String ascii) {
    int len = ends[i] - starts[i];
    if (len != ascii.length()) {
      return false;
    }
    for (int k = 0; k < len; k++) {
      if (buf[starts[i] + k] != ascii.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses a verification label: 1 / target / tgt / true mean target, 0 / nontarget / non-target /
   * imp / impostor / false mean non-target (case-insensitive).
   */
  public boolean label(int i) {
    int code = labelCode(i);
    if (code < 0) {
      throw fieldError(i, "label", "is not one of 1/0/target/nontarget");
    }
    return code == 1;
  }

  /** Whether field i is a verification label in the vocabulary of {@link #label}. */
  public boolean isLabel(int i) {
    return labelCode(i) >= 0;
  }

  /** 1 for a target label, 0 for a non-target label, -1 for anything else. */
  private int labelCode(int i) {
    int len = ends[i] - starts[i];
    if (len == 1) {
      byte b = buf[starts[i]];
      return b == '1' ? 1 : b == '0' ? 0 : -1;
    }
    // The spellings of Kaldi/wespeaker files first, without creating a string.
    if (fieldEquals(i, "target")) {
      return 1;
    }
    if (fieldEquals(i, "nontarget")) {
      return 0;
    }
    return switch (field(i).toLowerCase(java.util.Locale.ROOT)) {
      case "target", "tgt", "true" -> 1;
      case "nontarget", "non-target", "imp", "impostor", "false" -> 0;
      default -> -1;
    };
  }

  /** A finite double, or a file:line error naming the token. */
  public double finiteDouble(int i, String what) {
    double v = parseDecimal(starts[i], ends[i]);
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      String lower = field(i).toLowerCase(java.util.Locale.ROOT).replace("+", "").replace("-", "");
      if (Double.isInfinite(v) || lower.equals("nan") || lower.startsWith("inf")) {
        throw fieldError(i, what, "is not a finite number");
      }
      throw fieldError(i, what, "is not a number");
    }
    return v;
  }

  /** A long integer, or a file:line error naming the token. */
  public long parseLong(int i, String what) {
    int s = starts[i];
    int e = ends[i];
    boolean neg = false;
    if (s < e && (buf[s] == '-' || buf[s] == '+')) {
      neg = buf[s] == '-';
      s++;
    }
    if (s == e || e - s > 18) {
      throw fieldError(i, what, "is not an integer");
    }
    long v = 0;
    for (int k = s; k < e; k++) {
      int d = buf[k] - '0';
      if (d < 0 || d > 9) {
        throw fieldError(i, what, "is not an integer");
      }
      v = v * 10 + d;
    }
    return neg ? -v : v;
  }

  private static final double[] POW10 = new double[23];

  static {
    double p = 1;
    for (int k = 0; k < POW10.length; k++) {
      POW10[k] = p;
      p *= 10;
    }
  }

  /**
   * Parses [+-]digits[.digits][(e|E)[+-]digits]; NaN for anything else (including "nan" and "inf").
   * Fast path (Clinger): at most 15 significant digits and a power of ten up to 22 are exact
   * doubles, so one multiplication or division gives the correctly rounded result. Other numbers go
   * through Double.parseDouble, also correctly rounded.
   */
  private double parseDecimal(int s, int e) {
    int k = s;
    boolean neg = false;
    if (k < e && (buf[k] == '-' || buf[k] == '+')) {
      neg = buf[k] == '-';
      k++;
    }
    long mant = 0;
    int digits = 0;
    int scale = 0;
    boolean any = false;
    boolean slow = false;
    while (k < e && buf[k] >= '0' && buf[k] <= '9') {
      any = true;
      if (mant == 0 && buf[k] == '0') {
        k++;
        continue;
      }
      if (digits < 18) {
        mant = mant * 10 + (buf[k] - '0');
        digits++;
      } else {
        slow = true;
      }
      k++;
    }
    if (k < e && buf[k] == '.') {
      k++;
      while (k < e && buf[k] >= '0' && buf[k] <= '9') {
        any = true;
        if (mant == 0 && buf[k] == '0') {
          scale--;
          k++;
          continue;
        }
        if (digits < 18) {
          mant = mant * 10 + (buf[k] - '0');
          digits++;
          scale--;
        } else {
          slow = true;
        }
        k++;
      }
    }
    if (!any) {
      return Double.NaN;
    }
    if (k < e && (buf[k] == 'e' || buf[k] == 'E')) {
      k++;
      boolean eneg = false;
      if (k < e && (buf[k] == '-' || buf[k] == '+')) {
        eneg = buf[k] == '-';
        k++;
      }
      if (k == e) {
        return Double.NaN;
      }
      int exp = 0;
      while (k < e && buf[k] >= '0' && buf[k] <= '9') {
        if (exp < 100_000) {
          exp = exp * 10 + (buf[k] - '0');
        }
        k++;
      }
      scale += eneg ? -exp : exp;
    }
    if (k != e) {
      return Double.NaN;
    }
    if (mant == 0) {
      return neg ? -0.0 : 0.0;
    }
    if (!slow && digits <= 15 && scale >= -22 && scale <= 22) {
      double v = scale >= 0 ? mant * POW10[scale] : mant / POW10[-scale];
      return neg ? -v : v;
    }
    return Double.parseDouble(new String(buf, s, e - s, StandardCharsets.US_ASCII));
  }

  /**
   * A file:line error about field i: "what 'value' problem", the value shortened and escaped, and a
   * byte-order mark (invisible, and not a digit) named when one is in it.
   */
  public UserInputException fieldError(int i, String what, String problem) {
    String f = field(i);
    String bom =
        f.indexOf('\uFEFF') >= 0
            ? " (it holds a byte-order mark, U+FEFF, allowed only at the start of the file)"
            : "";
    return error(what + " " + UserText.quoted(f) + " " + problem + bom);
  }

  /** A UserInputException located at the current line. */
  public UserInputException error(String message) {
    return new UserInputException(file + ":" + lineNumber + ": " + message);
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
