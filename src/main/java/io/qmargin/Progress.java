package io.qmargin;

/**
 * Progress of a long task (bytes read, pairs scored...). The evaluation library reports through
 * this interface and never prints; the CLI supplies a progress bar. Implementations must accept
 * {@link #step} from several threads.
 */
public interface Progress extends AutoCloseable {
  /** Starts a sub-task of {@code total} units (total <= 0: unknown). */
  Progress start(String task, long total);

  void step(long units);

  @Override
  void close();

  /** Reports nothing. */
  Progress NONE =
      new Progress() {
        @Override
        public Progress start(String task, long total) {
          return this;
        }

        @Override
        public void step(long units) {}

        @Override
        public void close() {}
      };
}
