package io.qmargin.cli;

import io.qmargin.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long tasks on stderr; small tasks (fewer than {@code minUnits}) stay silent. On a
 * terminal it is a redrawn bar. Off a terminal (a log file, a pipe, a batch job) a bar would fill
 * the log with carriage returns, so it prints plain lines instead: the task with its size when it
 * starts, one line each {@link #plainInterval} units (but not within {@link #PLAIN_SECONDS} of the
 * previous one, so short tasks such as a validation print two lines) and one when it ends.
 */
final class ConsoleProgress implements Progress {
  /** Plain mode prints at most about this many progress lines per task. */
  static final int PLAIN_LINES = 20;

  /** Plain mode's least time between two progress lines of a task. */
  static final double PLAIN_SECONDS = 10;

  private final long minUnits;
  private final PrintWriter plainOut;
  private final double plainSeconds;
  private final Progress current;

  ConsoleProgress(long minUnits) {
    this(minUnits, interactive() ? null : new PrintWriter(System.err, true));
  }

  /** Plain lines to {@code plainOut}, or a bar on stderr when {@code plainOut} is null. */
  ConsoleProgress(long minUnits, PrintWriter plainOut) {
    this(minUnits, plainOut, PLAIN_SECONDS, Progress.NONE);
  }

  ConsoleProgress(long minUnits, PrintWriter plainOut, double plainSeconds, Progress current) {
    this.minUnits = minUnits;
    this.plainOut = plainOut;
    this.plainSeconds = plainSeconds;
    this.current = current;
  }

  /**
   * Whether stderr is a terminal a bar can redraw. {@link System#console()} says whether stdin and
   * stdout are; stderr redirected alone (2&gt; log) is seen through /proc where there is one.
   */
  static boolean interactive() {
    if (System.console() == null) {
      return false;
    }
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return true; // no /proc: trust the console
    }
  }

  /**
   * Units between two plain lines: about {@link #PLAIN_LINES} lines per task, at least one unit
   * apart.
   */
  static long plainInterval(long total) {
    return Math.max(1, (total + PLAIN_LINES - 1) / PLAIN_LINES);
  }

  @Override
  public Progress start(String task, long total) {
    if (total < minUnits) {
      return Progress.NONE;
    }
    Progress p =
        plainOut == null
            ? new Bar(bar(task, total))
            : new Plain(plainOut, task, total, plainSeconds);
    return new ConsoleProgress(minUnits, plainOut, plainSeconds, p);
  }

  /** A bar on stderr with throughput and ETA (a terminal only: see {@link #interactive}). */
  static ProgressBar bar(String task, long total) {
    return new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(total)
        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
        .setConsumer(new ConsoleProgressBarConsumer(System.err))
        .setUpdateIntervalMillis(200)
        .showSpeed()
        .build();
  }

  @Override
  public void step(long units) {
    current.step(units);
  }

  @Override
  public void close() {
    current.close();
  }

  private record Bar(ProgressBar bar) implements Progress {
    @Override
    public Progress start(String task, long total) {
      return Progress.NONE;
    }

    @Override
    public void step(long units) {
      bar.stepBy(units);
    }

    @Override
    public void close() {
      bar.close();
    }
  }

  /** Plain lines for logs; {@link #step} may come from several threads. */
  private static final class Plain implements Progress {
    private final PrintWriter out;
    private final String task;
    private final long total;
    private final long interval;
    private final long minNanos;
    private final long begin = System.nanoTime();
    private long lastLine = begin;
    private long done;
    private long nextLine;

    Plain(PrintWriter out, String task, long total, double minSeconds) {
      this.out = out;
      this.task = task;
      this.total = total;
      this.interval = plainInterval(total);
      this.minNanos = (long) (minSeconds * 1e9);
      this.nextLine = interval;
      out.printf(java.util.Locale.ROOT, "%s: %,d to do%n", task, total);
      out.flush();
    }

    @Override
    public Progress start(String task, long total) {
      return Progress.NONE;
    }

    @Override
    public synchronized void step(long units) {
      done += units;
      if (done >= nextLine && done < total) {
        nextLine = (done / interval + 1) * interval;
        long now = System.nanoTime();
        if (now - lastLine >= minNanos) {
          lastLine = now;
          out.printf(
              java.util.Locale.ROOT,
              "%s: %,d of %,d (%.0f%%)%n",
              task,
              done,
              total,
              100.0 * done / total);
          out.flush();
        }
      }
    }

    @Override
    public synchronized void close() {
      out.printf(
          java.util.Locale.ROOT,
          "%s: %,d of %,d done in %.1f s%n",
          task,
          done,
          total,
          (System.nanoTime() - begin) / 1e9);
      out.flush();
    }
  }
}
