package io.qmargin.audio;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jflac.ChannelData;
import org.jflac.FLACDecoder;
import org.jflac.FrameListener;
import org.jflac.frame.Frame;
import org.jflac.metadata.Metadata;
import org.jflac.metadata.StreamInfo;

/**
 * Reads FLAC files through the pure-Java decoder jFLAC ({@code org.jflac:jflac-codec}). Samples of
 * b bits are divided by 2^(b-1), the same scale as {@link WavReader}.
 *
 * <p>jFLAC skips frames it cannot decode and stops quietly at the end of the input, so this reader
 * checks for itself: any bad frame, or fewer samples than the stream header announces (a truncated
 * file), is a {@link CorruptAudioException} naming the path.
 */
public final class FlacReader {
  private FlacReader() {}

  /** True when the bytes start with the FLAC stream marker. */
  public static boolean looksLikeFlac(byte[] head) {
    return head.length >= 4 && head[0] == 'f' && head[1] == 'L' && head[2] == 'a' && head[3] == 'C';
  }

  /** Decodes a whole FLAC file held in memory; {@code path} is only used in error messages. */
  public static Waveform decode(byte[] bytes, Path path) {
    FLACDecoder decoder = new FLACDecoder(new ByteArrayInputStream(bytes));
    Collector collector = new Collector(decoder);
    decoder.addFrameListener(collector);
    try {
      decoder.decode();
    } catch (IOException | RuntimeException e) {
      throw new CorruptAudioException(path, "corrupt FLAC: " + e, e);
    }
    StreamInfo info = decoder.getStreamInfo();
    if (info == null) {
      throw new CorruptAudioException(path, "not a FLAC file (no STREAMINFO block)");
    }
    if (!collector.errors.isEmpty() || decoder.getBadFrames() > 0) {
      throw new CorruptAudioException(
          path,
          "corrupt FLAC: "
              + Math.max(decoder.getBadFrames(), collector.errors.size())
              + " bad frame(s)"
              + (collector.errors.isEmpty() ? "" : ", first: " + collector.errors.get(0)));
    }
    int rate = AudioReader.requirePlausibleRate(info.getSampleRate(), path);
    int channels = info.getChannels();
    long frames = collector.size / channels;
    long expected = info.getTotalSamples();
    if (expected > 0 && frames != expected) {
      throw new CorruptAudioException(
          path,
          "truncated FLAC: the stream header announces "
              + expected
              + " samples per channel but "
              + frames
              + " were decoded");
    }
    if (collector.bitsPerSample <= 0 && frames > 0) {
      throw new CorruptAudioException(path, "corrupt FLAC: no bits-per-sample information");
    }
    float[] samples = new float[(int) collector.size];
    float scale = (float) (1.0 / (1L << (Math.max(collector.bitsPerSample, 1) - 1)));
    for (int i = 0; i < samples.length; i++) {
      samples[i] = collector.data[i] * scale;
    }
    return new Waveform(samples, rate, channels);
  }

  /** Gathers each decoded frame's integer samples, interleaved. */
  private static final class Collector implements FrameListener {
    private final FLACDecoder decoder;
    final List<String> errors = new ArrayList<>();
    int[] data = new int[1 << 16];
    long size;
    int bitsPerSample;

    Collector(FLACDecoder decoder) {
      this.decoder = decoder;
    }

    @Override
    public void processMetadata(Metadata metadata) {}

    @Override
    public void processFrame(Frame frame) {
      int n = frame.header.blockSize;
      int channels = frame.header.channels;
      // The frame header may leave the bit depth to STREAMINFO (then it is 0 here).
      int bits =
          frame.header.bitsPerSample > 0
              ? frame.header.bitsPerSample
              : decoder.getStreamInfo().getBitsPerSample();
      if (bitsPerSample == 0) {
        bitsPerSample = bits;
      } else if (bits != bitsPerSample) {
        errors.add("bits per sample change from " + bitsPerSample + " to " + bits);
        return;
      }
      long needed = size + (long) n * channels;
      if (needed > Integer.MAX_VALUE - 8) {
        errors.add("more than 2^31 samples");
        return;
      }
      if (needed > data.length) {
        data =
            Arrays.copyOf(
                data, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * data.length)));
      }
      ChannelData[] channelData = decoder.getChannelData();
      int base = (int) size;
      for (int c = 0; c < channels; c++) {
        int[] out = channelData[c].getOutput();
        for (int i = 0; i < n; i++) {
          data[base + i * channels + c] = out[i];
        }
      }
      size = needed;
    }

    @Override
    public void processError(String msg) {
      errors.add(msg);
    }
  }
}
