package io.qmargin.audio;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads an audio file of any supported format: WAV ({@link WavReader}), FLAC ({@link FlacReader})
 * or Ogg Vorbis ({@link OggVorbisReader}). The format is recognised from the file's first bytes,
 * not its extension, so a mislabelled file still reads; the extension only improves the error
 * message for unknown content.
 *
 * <p>Errors: a missing file is a {@link UserInputException}; undecodable content (truncated,
 * corrupt, unsupported encoding) is a {@link CorruptAudioException}; both name the path. Every
 * format passes the same plausibility checks: a sample rate outside [{@value #MIN_SAMPLE_RATE},
 * {@value #MAX_SAMPLE_RATE}] Hz (a corrupt header; no real recording leaves that range, and
 * resampling from an absurd rate is pointless work) and a NaN or infinite sample (float WAVs can
 * hold them; features of such audio are NaN) are corrupt audio.
 */
public final class AudioReader {
  /** Lowest sample rate accepted from a file, in Hz. */
  public static final int MIN_SAMPLE_RATE = 1000;

  /**
   * Highest sample rate accepted from a file, in Hz (the highest rate of common audio hardware).
   */
  public static final int MAX_SAMPLE_RATE = 384_000;

  private AudioReader() {}

  /** Reads the file as stored: all channels, native sample rate. */
  public static Waveform read(Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new UserInputException(path + ": no such file");
    } catch (IOException e) {
      throw new UserInputException(
          path + ": cannot read: " + (Files.isDirectory(path) ? "is a directory" : e.getMessage()),
          e);
    }
    return decode(bytes, path);
  }

  /** Decodes a whole file held in memory; {@code path} names it in messages. */
  public static Waveform decode(byte[] bytes, Path path) {
    if (WavReader.looksLikeWav(bytes)) {
      return requireFiniteSamples(WavReader.decode(bytes, path), path);
    }
    if (FlacReader.looksLikeFlac(bytes)) {
      return requireFiniteSamples(FlacReader.decode(bytes, path), path);
    }
    if (OggVorbisReader.looksLikeOgg(bytes)) {
      return requireFiniteSamples(OggVorbisReader.decode(bytes, path), path);
    }
    if (bytes.length == 0) {
      throw new CorruptAudioException(path, "empty file");
    }
    String name =
        path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
    String hint =
        name.endsWith(".wav") || name.endsWith(".flac") || name.endsWith(".ogg")
            ? "the content does not start like its extension says (truncated or corrupt header?)"
            : "unrecognised audio format";
    throw new CorruptAudioException(path, hint + "; qmargin reads WAV, FLAC and Ogg Vorbis");
  }

  /**
   * The sample rate a reader found in a header, once it lies in [{@value #MIN_SAMPLE_RATE}, {@value
   * #MAX_SAMPLE_RATE}] Hz; every reader calls this before building its {@link Waveform}.
   */
  static int requirePlausibleRate(long rate, Path path) {
    if (rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE) {
      throw new CorruptAudioException(
          path,
          "implausible sample rate "
              + rate
              + " Hz in the header (qmargin reads "
              + MIN_SAMPLE_RATE
              + " to "
              + MAX_SAMPLE_RATE
              + " Hz); the file is corrupt");
    }
    return (int) rate;
  }

  /** The decoded waveform, once every sample is a finite number. */
  private static Waveform requireFiniteSamples(Waveform wave, Path path) {
    float[] x = wave.samples();
    for (int i = 0; i < x.length; i++) {
      if (!Float.isFinite(x[i])) {
        long frame = i / wave.channels();
        throw new CorruptAudioException(
            path,
            "sample "
                + x[i]
                + " at "
                + String.format(Locale.ROOT, "%.3f", (double) frame / wave.sampleRate())
                + " s (frame "
                + frame
                + ", channel "
                + i % wave.channels()
                + "): audio samples must be finite numbers");
      }
    }
    return wave;
  }

  /**
   * Reads the file as mono at {@code sampleRate}: channels averaged, then resampled with {@link
   * Resampler} when the file's rate differs.
   */
  public static Waveform readMono(Path path, int sampleRate) {
    return Resampler.resample(read(path).toMono(), sampleRate);
  }
}
