package io.qmargin.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a serving command running until Ctrl-C or SIGTERM, then lets it close what it opened
 * (server, database) before the JVM halts: the shutdown hook wakes the waiting thread and waits
 * until this signal is closed, at most 30 seconds. Open it before the resources it guards, so that
 * try-with-resources closes it after them.
 */
final class StopSignal implements AutoCloseable {
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  private StopSignal() {}

  static StopSignal install() {
    StopSignal signal = new StopSignal();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  signal.stopped.countDown();
                  try {
                    signal.closed.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    return signal;
  }

  /** Blocks until the process is asked to stop. */
  void await() throws InterruptedException {
    stopped.await();
  }

  /** The guarded resources are closed: the JVM may halt. */
  @Override
  public void close() {
    closed.countDown();
  }
}
