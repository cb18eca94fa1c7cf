package io.qmargin.data;

/**
 * The seed mixing the determinism contract rests on: every random draw of a run (initial weights,
 * epoch order, augmentation, synthetic identities, corpus splits, the engine's generator at each
 * step) takes its generator from {@code mix(seed, a, b)} for a pair (a, b) that names the draw, so
 * a run resumed at any step draws exactly what an uninterrupted run draws.
 */
public final class Seeds {
  private Seeds() {}

  /** A well-spread 64-bit seed for (seed, a, b), via SplitMix64's finaliser applied in turn. */
  public static long mix(long seed, long a, long b) {
    long h = murmurFinal(seed ^ 0x9E3779B97F4A7C15L);
    h = murmurFinal(h ^ (a * 0xBF58476D1CE4E5B9L + 0x632BE59BD9B4E019L));
    return murmurFinal(h ^ (b * 0x94D049BB133111EBL + 0x2545F4914F6CDD1DL));
  }

  private static long murmurFinal(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
