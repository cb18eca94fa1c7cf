package io.qmargin.audio;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * corrupt, unsupported encoding) is a {@link CorruptAudioException}; both name the path.
 */
public final class AudioReader {
  private AudioReader() {}

  /** Reads the file as stored: all channels, native sample rate. */
  public static Waveform read(Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new UserInputException(path + ": no such file");
    } catch (IOException e) {
      throw new UserInputException(path + ": cannot read: " + (Files.isDirectory(path) ? "is a directory" : e.getMessage()), e);
    }
    return decode(bytes, path);
  }

  /** Decodes a whole file held in memory; {@code path} names it in messages. */
  public static Waveform decode(byte[] bytes, Path path) {
    if (WavReader.looksLikeWav(bytes)) {
      return WavReader.decode(bytes, path);
    }
    if (FlacReader.looksLikeFlac(bytes)) {
      return FlacReader.decode(bytes, path);
    }
    if (OggVorbisReader.looksLikeOgg(bytes)) {
      return OggVorbisReader.decode(bytes, path);
    }
    if (bytes.length == 0) {
      throw new CorruptAudioException(path, "empty file");
    }
    String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
    String hint =
        name.endsWith(".wav") || name.endsWith(".flac") || name.endsWith(".ogg")
            ? "the content does not start like its extension says (truncated or corrupt header?)"
            : "unrecognised audio format";
    throw new CorruptAudioException(path, hint + "; qmargin reads WAV, FLAC and Ogg Vorbis");
  }

  /**
   * Reads the file as mono at {@code sampleRate}: channels averaged, then resampled with
   * {@link Resampler} when the file's rate differs.
   */
  public static Waveform readMono(Path path, int sampleRate) {
    return Resampler.resample(read(path).toMono(), sampleRate);
  }
}
