package io.qmargin.audio;

import java.util.Arrays;

/**
 * Decoded audio: interleaved samples as floats nominally in [-1, 1] (integer PCM divided by
 * 2^(bits-1); float files as stored, so they may exceed 1), the sample rate in Hz and the number of
 * channels. Sample {@code c} of frame {@code t} is {@code samples[t * channels + c]}.
 *
 * <p>Feature extraction works on mono audio: {@link #toMono()} averages the channels.
 */
public record Waveform(float[] samples, int sampleRate, int channels) {

  public Waveform {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
    }
    if (channels <= 0) {
      throw new IllegalArgumentException("channel count must be positive, got " + channels);
    }
    if (samples.length % channels != 0) {
      throw new IllegalArgumentException(
          samples.length + " samples do not divide into " + channels + " channels");
    }
  }

  /** Number of sample frames (samples per channel). */
  public int numFrames() {
    return samples.length / channels;
  }

  public double durationSeconds() {
    return (double) numFrames() / sampleRate;
  }

  /** One channel, de-interleaved. */
  public float[] channel(int channel) {
    if (channel < 0 || channel >= channels) {
      throw new IllegalArgumentException(
          "channel " + channel + " out of range [0, " + channels + ")");
    }
    if (channels == 1) {
      return samples;
    }
    int n = numFrames();
    float[] out = new float[n];
    for (int t = 0; t < n; t++) {
      out[t] = samples[t * channels + channel];
    }
    return out;
  }

  /** The channels averaged into one; this waveform itself when already mono. */
  public Waveform toMono() {
    if (channels == 1) {
      return this;
    }
    int n = numFrames();
    float[] mono = new float[n];
    for (int t = 0; t < n; t++) {
      double sum = 0;
      for (int c = 0; c < channels; c++) {
        sum += samples[t * channels + c];
      }
      mono[t] = (float) (sum / channels);
    }
    return new Waveform(mono, sampleRate, 1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Waveform w
        && w.sampleRate == sampleRate
        && w.channels == channels
        && Arrays.equals(w.samples, samples);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(samples) + sampleRate) + channels;
  }

  @Override
  public String toString() {
    return "Waveform["
        + numFrames()
        + " frames, "
        + sampleRate
        + " Hz, "
        + channels
        + " channel(s)]";
  }
}
