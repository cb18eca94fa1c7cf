package io.qmargin.data.speech;

import java.util.Arrays;

/** Fixed-length pieces of a waveform. */
final class Chunks {
  private Chunks() {}

  /**
   * {@code length} samples from {@code start}; a waveform shorter than {@code length} is repeated
   * from its beginning ({@code x x x ...} cut to length), as wespeaker pads short utterances.
   */
  static float[] chunk(float[] x, int start, int length) {
    if (x.length == 0) {
      throw new IllegalArgumentException("cannot take a chunk of an empty waveform");
    }
    if (x.length >= length) {
      return Arrays.copyOfRange(x, start, start + length);
    }
    float[] out = new float[length];
    for (int off = 0; off < length; off += x.length) {
      System.arraycopy(x, 0, out, off, Math.min(x.length, length - off));
    }
    return out;
  }
}
