package io.qmargin.data.face;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Counts the corrupt or unreadable images skipped during loading and reports each one (path and
 * problem) to a warning sink, e.g. the trainer's log. Keeps the first {@link #KEPT} messages for a
 * summary. Safe to use from several loader threads.
 */
public final class CorruptImages {
  public static final int KEPT = 100;

  private final Consumer<String> warnings;
  private final AtomicLong count = new AtomicLong();
  private final List<String> first = new ArrayList<>();

  /**
   * @param warnings receives one line per skipped image ("skipped corrupt image PATH: PROBLEM")
   */
  public CorruptImages(Consumer<String> warnings) {
    this.warnings = warnings;
  }

  /** A counter that reports nothing (the count and the first messages are still kept). */
  public static CorruptImages silent() {
    return new CorruptImages(message -> {});
  }

  public void record(CorruptImageException e) {
    count.incrementAndGet();
    String message = "skipped corrupt image " + e.getMessage();
    synchronized (first) {
      if (first.size() < KEPT) {
        first.add(message);
      }
    }
    warnings.accept(message);
  }

  public long count() {
    return count.get();
  }

  /** The first {@link #KEPT} messages, in the order they were recorded. */
  public List<String> firstMessages() {
    synchronized (first) {
      return List.copyOf(first);
    }
  }
}
