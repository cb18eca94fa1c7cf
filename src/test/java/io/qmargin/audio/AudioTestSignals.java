package io.qmargin.audio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test signals and a WAV writer that can produce every layout WavReader must read. */
final class AudioTestSignals {
  private AudioTestSignals() {}

  /**
   * round-half-even(amp sin(2 pi f n / rate)), the formula of make-test-audio.sh (Python's round).
   */
  static int[] tone(double amp, double freq, int rate, int n) {
    int[] x = new int[n];
    for (int i = 0; i < n; i++) {
      x[i] = (int) Math.rint(amp * Math.sin(2 * Math.PI * freq * i / rate));
    }
    return x;
  }

  static float[] sine(double amp, double freq, int rate, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (amp * Math.sin(2 * Math.PI * freq * i / rate));
    }
    return x;
  }

  /** Interleaves channels of equal length. */
  static int[] interleave(int[]... channels) {
    int n = channels[0].length;
    int[] out = new int[n * channels.length];
    for (int t = 0; t < n; t++) {
      for (int c = 0; c < channels.length; c++) {
        out[t * channels.length + c] = channels[c][t];
      }
    }
    return out;
  }

  /** A WAV layout: encoding tag, bits, extensible wrapper, byte order, extra chunks. */
  record WavSpec(
      int formatTag,
      int bits,
      int channels,
      int rate,
      boolean extensible,
      boolean bigEndian,
      boolean oddChunkBeforeData) {
    static WavSpec pcm(int bits, int channels, int rate) {
      return new WavSpec(WavReader.WAVE_FORMAT_PCM, bits, channels, rate, false, false, false);
    }

    static WavSpec float32(int channels, int rate) {
      return new WavSpec(WavReader.WAVE_FORMAT_IEEE_FLOAT, 32, channels, rate, false, false, false);
    }

    WavSpec asExtensible() {
      return new WavSpec(formatTag, bits, channels, rate, true, bigEndian, oddChunkBeforeData);
    }

    WavSpec asRifx() {
      return new WavSpec(formatTag, bits, channels, rate, extensible, true, oddChunkBeforeData);
    }

    WavSpec withOddChunk() {
      return new WavSpec(formatTag, bits, channels, rate, extensible, bigEndian, true);
    }
  }

  /** WAV bytes of integer samples (signed, 8-bit written unsigned), interleaved. */
  static byte[] wavBytes(WavSpec spec, int[] intSamples) {
    int bytesPerSample = spec.bits / 8;
    ByteBuffer data =
        ByteBuffer.allocate(intSamples.length * bytesPerSample)
            .order(spec.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    for (int v : intSamples) {
      switch (bytesPerSample) {
        case 1 -> data.put((byte) (v + 128));
        case 2 -> data.putShort((short) v);
        case 3 -> {
          if (spec.bigEndian) {
            data.put((byte) (v >> 16)).put((byte) (v >> 8)).put((byte) v);
          } else {
            data.put((byte) v).put((byte) (v >> 8)).put((byte) (v >> 16));
          }
        }
        default -> data.putInt(v);
      }
    }
    return assemble(spec, data.array());
  }

  /** WAV bytes of float samples (IEEE float 32-bit). */
  static byte[] wavBytes(WavSpec spec, float[] samples) {
    ByteBuffer data =
        ByteBuffer.allocate(samples.length * 4)
            .order(spec.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    for (float v : samples) {
      data.putFloat(v);
    }
    return assemble(spec, data.array());
  }

  private static byte[] assemble(WavSpec spec, byte[] data) {
    ByteOrder order = spec.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    int bytesPerSample = spec.bits / 8;
    ByteBuffer fmt = ByteBuffer.allocate(spec.extensible ? 40 : 16).order(order);
    fmt.putShort((short) (spec.extensible ? WavReader.WAVE_FORMAT_EXTENSIBLE : spec.formatTag));
    fmt.putShort((short) spec.channels);
    fmt.putInt(spec.rate);
    fmt.putInt(spec.rate * spec.channels * bytesPerSample);
    fmt.putShort((short) (spec.channels * bytesPerSample));
    fmt.putShort((short) spec.bits);
    if (spec.extensible) {
      fmt.putShort((short) 22);
      fmt.putShort((short) spec.bits);
      fmt.putInt(spec.channels == 2 ? 3 : 4);
      // GUID {0000xxxx-0000-0010-8000-00AA00389B71}: tag, then the fixed tail.
      fmt.put((byte) spec.formatTag).put((byte) 0);
      fmt.put(
          new byte[] {
            0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71
          });
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer header = ByteBuffer.allocate(12).order(order);
    header.put((spec.bigEndian ? "RIFX" : "RIFF").getBytes(StandardCharsets.US_ASCII));
    header.putInt(0); // patched below
    header.put("WAVE".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(header.array());
    out.writeBytes(chunk("fmt ", fmt.array(), order));
    if (spec.oddChunkBeforeData) {
      out.writeBytes(chunk("LIST", "INFOodd".getBytes(StandardCharsets.US_ASCII), order));
    }
    out.writeBytes(chunk("data", data, order));
    byte[] bytes = out.toByteArray();
    ByteBuffer.wrap(bytes).order(order).putInt(4, bytes.length - 8);
    return bytes;
  }

  /** A chunk with its header and, after an odd-sized body, the RIFF pad byte. */
  static byte[] chunk(String id, byte[] body, ByteOrder order) {
    ByteBuffer b = ByteBuffer.allocate(8 + body.length + (body.length & 1)).order(order);
    b.put(id.getBytes(StandardCharsets.US_ASCII)).putInt(body.length).put(body);
    return b.array();
  }

  static Path writeTemp(Path dir, String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = AudioTestSignals.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing test resource " + name);
      }
      return in.readAllBytes();
    }
  }

  /**
   * Amplitude of the component at {@code freq} (a single-bin DFT, i.e. Goertzel), for sinusoid
   * checks.
   */
  static double amplitudeAt(float[] x, int from, int to, double freq, int rate) {
    double re = 0;
    double im = 0;
    for (int i = from; i < to; i++) {
      double a = 2 * Math.PI * freq * i / rate;
      re += x[i] * Math.cos(a);
      im += x[i] * Math.sin(a);
    }
    return 2 * Math.hypot(re, im) / (to - from);
  }
}
