package io.qmargin.data.speech;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Writes small 16-bit mono WAV files and makes test signals. */
public final class TestWavs {
  private TestWavs() {}

  /** Writes {@code samples} (floats in [-1, 1]) as 16-bit PCM; creates parent folders. */
  public static Path write(Path file, float[] samples, int rate) throws IOException {
    Files.createDirectories(file.getParent());
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + 2 * samples.length).put("WAVE".getBytes());
    b.put("fmt ".getBytes())
        .putInt(16)
        .putShort((short) 1)
        .putShort((short) 1)
        .putInt(rate)
        .putInt(2 * rate)
        .putShort((short) 2)
        .putShort((short) 16);
    b.put("data".getBytes()).putInt(2 * samples.length);
    for (float v : samples) {
      b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
    }
    Files.write(file, b.array());
    return file;
  }

  /** A tiny valid WAV (for listing tests where the content does not matter). */
  static Path tiny(Path file) throws IOException {
    return write(file, new float[] {0.1f, -0.1f, 0.2f}, 16000);
  }

  /**
   * A speech-like test signal: a few harmonics with a slow amplitude wobble plus a little noise.
   */
  static float[] signal(int n, int rate, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double f0 = 100 + 80 * rnd.nextDouble();
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      double t = (double) i / rate;
      double env = 0.5 + 0.4 * Math.sin(2 * Math.PI * 3 * t + seed);
      double v = 0;
      for (int h = 1; h <= 5; h++) {
        v += Math.sin(2 * Math.PI * f0 * h * t) / h;
      }
      x[i] = (float) (0.2 * env * v + 0.01 * (rnd.nextDouble() - 0.5));
    }
    return x;
  }

  /** Uniform white noise in [-amp, amp]. */
  static float[] noise(int n, double amp, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (amp * (2 * rnd.nextDouble() - 1));
    }
    return x;
  }

  /** Samples as 16-bit PCM would store them (what reading back a written file gives). */
  static float[] quantised(float[] x) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] * 32768))) / 32768f;
    }
    return out;
  }
}
