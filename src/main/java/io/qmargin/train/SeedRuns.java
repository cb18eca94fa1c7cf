package io.qmargin.train;

import io.qmargin.UserInputException;
import java.nio.file.Path;

/**
 * The seeds of a repeated recipe: {@code count} seeds from the config's {@code seed} on, {@code
 * seed, seed + 1, ...}; each seed's runs live in {@code OUT/seed-<seed>}.
 */
public final class SeedRuns {
  private SeedRuns() {}

  /** {@code first, first + 1, ..., first + count - 1}. */
  public static long[] seeds(long first, int count) {
    if (count < 1) {
      throw new UserInputException("--seeds must be >= 1, got " + count);
    }
    long[] s = new long[count];
    for (int i = 0; i < count; i++) {
      s[i] = first + i;
    }
    return s;
  }

  /** The folder of one seed's runs. */
  public static Path dir(Path out, long seed) {
    return out.resolve("seed-" + seed);
  }
}
