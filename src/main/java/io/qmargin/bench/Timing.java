package io.qmargin.bench;

import java.util.Arrays;

/** Wall-clock timing for the benchmarks. */
final class Timing {
  private Timing() {}

  /** Median wall time in seconds of {@code repeats} calls, after one warm-up call. */
  static double medianSeconds(int repeats, Runnable call) {
    call.run();
    double[] t = new double[Math.max(1, repeats)];
    for (int i = 0; i < t.length; i++) {
      long start = System.nanoTime();
      call.run();
      t[i] = (System.nanoTime() - start) / 1e9;
    }
    Arrays.sort(t);
    return t[t.length / 2];
  }
}
