package io.qmargin.cli;

import io.qmargin.eval.Progress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars on stderr for long tasks; small tasks (fewer than {@code minUnits}) stay silent.
 * Off a terminal the bar uses the ASCII style, since the default one writes ANSI codes into logs.
 */
final class ConsoleProgress implements Progress {
  private final long minUnits;
  private final ProgressBar bar;

  ConsoleProgress(long minUnits) {
    this(minUnits, null);
  }

  private ConsoleProgress(long minUnits, ProgressBar bar) {
    this.minUnits = minUnits;
    this.bar = bar;
  }

  @Override
  public Progress start(String task, long total) {
    if (total < minUnits) {
      return Progress.NONE;
    }
    return new ConsoleProgress(minUnits, bar(task, total));
  }

  /** A bar on stderr with throughput and ETA; ASCII off a terminal. */
  static ProgressBar bar(String task, long total) {
    boolean tty = System.console() != null;
    return new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(total)
        .setStyle(tty ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK : ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(System.err))
        .setUpdateIntervalMillis(tty ? 200 : 2000)
        .showSpeed()
        .build();
  }

  @Override
  public void step(long units) {
    if (bar != null) {
      bar.stepBy(units);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
