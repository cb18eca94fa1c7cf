package io.qmargin.audio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads RIFF/WAVE files (little-endian {@code RIFF}, and big-endian {@code RIFX}).
 *
 * <p>Encodings: {@code WAVE_FORMAT_PCM} (1) with 8-bit unsigned or 16/24/32-bit signed integers,
 * {@code WAVE_FORMAT_IEEE_FLOAT} (3) with 32- or 64-bit floats, and {@code WAVE_FORMAT_EXTENSIBLE}
 * (0xFFFE) wrapping either. Integer samples are divided by 2^(container bits - 1), so every bit
 * depth lands on the same [-1, 1) scale (an 8-bit sample is (u - 128) / 128); samples narrower than
 * their container (e.g. 20 valid bits in 24) are left-justified by the format, so the same division
 * is right for them. Floats are kept as stored.
 *
 * <p>Chunks other than {@code fmt } and {@code data} are skipped, with the RIFF pad byte after
 * odd-sized chunks. A data chunk longer than the file, a data size that is not a whole number of
 * sample frames, or a missing {@code fmt } chunk is a {@link CorruptAudioException} naming the
 * path. A data size of 0xFFFFFFFF (written by streaming encoders that cannot seek back) means
 * "until the end of the file".
 */
public final class WavReader {
  private WavReader() {}

  static final int WAVE_FORMAT_PCM = 1;
  static final int WAVE_FORMAT_IEEE_FLOAT = 3;
  static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;

  /** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID; bytes 0..1 carry the format tag. */
  private static final byte[] SUBTYPE_GUID_TAIL = {
    0x00,
    0x00,
    0x00,
    0x00,
    0x10,
    0x00,
    (byte) 0x80,
    0x00,
    0x00,
    (byte) 0xAA,
    0x00,
    0x38,
    (byte) 0x9B,
    0x71
  };

  private static final long UNKNOWN_DATA_SIZE = 0xFFFFFFFFL;

  /** True when the bytes start like a RIFF/RIFX WAVE file. */
  public static boolean looksLikeWav(byte[] head) {
    return head.length >= 12
        && (ascii(head, 0).equals("RIFF") || ascii(head, 0).equals("RIFX"))
        && ascii(head, 8).equals("WAVE");
  }

  /** Decodes a whole WAV file held in memory; {@code path} is only used in error messages. */
  public static Waveform decode(byte[] bytes, Path path) {
    if (!looksLikeWav(bytes)) {
      throw new CorruptAudioException(path, "not a RIFF/WAVE file");
    }
    ByteOrder order =
        ascii(bytes, 0).equals("RIFX") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(order);
    Format format = null;
    int pos = 12;
    while (true) {
      if (pos + 8 > bytes.length) {
        throw new CorruptAudioException(
            path,
            format == null ? "truncated WAV: no 'fmt ' chunk" : "truncated WAV: no 'data' chunk");
      }
      String id = ascii(bytes, pos);
      long size = buf.getInt(pos + 4) & 0xFFFFFFFFL;
      int body = pos + 8;
      if (id.equals("fmt ")) {
        if (body + size > bytes.length) {
          throw new CorruptAudioException(
              path, "truncated WAV: 'fmt ' chunk runs past the end of the file");
        }
        format = parseFormat(buf, body, (int) size, path);
      } else if (id.equals("data")) {
        if (format == null) {
          throw new CorruptAudioException(
              path, "invalid WAV: 'data' chunk before any 'fmt ' chunk");
        }
        long available = bytes.length - body;
        long dataBytes;
        if (size == UNKNOWN_DATA_SIZE) {
          dataBytes = available - available % format.blockAlign;
        } else if (size > available) {
          throw new CorruptAudioException(
              path,
              "truncated WAV: the data chunk declares "
                  + size
                  + " bytes but only "
                  + available
                  + " remain in the file");
        } else {
          dataBytes = size;
        }
        if (dataBytes % format.blockAlign != 0) {
          throw new CorruptAudioException(
              path,
              "corrupt WAV: data size "
                  + dataBytes
                  + " is not a multiple of the frame size "
                  + format.blockAlign
                  + " bytes");
        }
        return new Waveform(
            decodeSamples(buf, body, (int) (dataBytes / format.bytesPerSample), format),
            format.sampleRate,
            format.channels);
      }
      // RIFF chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
      long next = body + size + (size & 1);
      if (next > Integer.MAX_VALUE) {
        throw new CorruptAudioException(
            path, "corrupt WAV: chunk '" + printable(id) + "' is larger than the file");
      }
      pos = (int) next;
    }
  }

  private record Format(
      int encoding, int channels, int sampleRate, int bytesPerSample, int blockAlign) {}

  private static Format parseFormat(ByteBuffer buf, int at, int size, Path path) {
    if (size < 16) {
      throw new CorruptAudioException(
          path, "corrupt WAV: 'fmt ' chunk of " + size + " bytes (at least 16 expected)");
    }
    int tag = buf.getShort(at) & 0xFFFF;
    int channels = buf.getShort(at + 2) & 0xFFFF;
    long sampleRate = buf.getInt(at + 4) & 0xFFFFFFFFL;
    int blockAlign = buf.getShort(at + 12) & 0xFFFF;
    int bits = buf.getShort(at + 14) & 0xFFFF;
    int encoding = tag;
    if (tag == WAVE_FORMAT_EXTENSIBLE) {
      if (size < 40) {
        throw new CorruptAudioException(
            path,
            "corrupt WAV: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk of " + size + " bytes (40 expected)");
      }
      int guid = at + 24;
      for (int i = 0; i < SUBTYPE_GUID_TAIL.length; i++) {
        if (buf.get(guid + 2 + i) != SUBTYPE_GUID_TAIL[i]) {
          throw new CorruptAudioException(
              path, "unsupported WAV: WAVE_FORMAT_EXTENSIBLE with a non-standard sub-format GUID");
        }
      }
      encoding = buf.getShort(guid) & 0xFFFF;
    }
    if (channels == 0) {
      throw new CorruptAudioException(path, "corrupt WAV: 0 channels");
    }
    int rate = AudioReader.requirePlausibleRate(sampleRate, path);
    int bytesPerSample = (bits + 7) / 8;
    boolean supported =
        (encoding == WAVE_FORMAT_PCM && bits >= 1 && bytesPerSample <= 4)
            || (encoding == WAVE_FORMAT_IEEE_FLOAT && (bits == 32 || bits == 64));
    if (!supported) {
      throw new CorruptAudioException(
          path,
          "unsupported WAV encoding: "
              + encodingName(encoding)
              + " with "
              + bits
              + " bits per sample (qmargin reads 8/16/24/32-bit integer PCM and 32/64-bit float;"
              + " convert with e.g. 'sox IN -e signed -b 16 OUT.wav')");
    }
    if (blockAlign != channels * bytesPerSample) {
      throw new CorruptAudioException(
          path,
          "corrupt WAV: block align "
              + blockAlign
              + " bytes does not match "
              + channels
              + " channel(s) of "
              + bytesPerSample
              + " byte(s)");
    }
    return new Format(encoding, channels, rate, bytesPerSample, blockAlign);
  }

  private static float[] decodeSamples(ByteBuffer buf, int at, int count, Format f) {
    float[] out = new float[count];
    if (f.encoding == WAVE_FORMAT_IEEE_FLOAT) {
      for (int i = 0; i < count; i++) {
        out[i] =
            f.bytesPerSample == 4 ? buf.getFloat(at + 4 * i) : (float) buf.getDouble(at + 8 * i);
      }
      return out;
    }
    boolean little = buf.order() == ByteOrder.LITTLE_ENDIAN;
    switch (f.bytesPerSample) {
      case 1 -> {
        // 8-bit WAV is unsigned with its zero at 128.
        for (int i = 0; i < count; i++) {
          out[i] = ((buf.get(at + i) & 0xFF) - 128) / 128f;
        }
      }
      case 2 -> {
        for (int i = 0; i < count; i++) {
          out[i] = buf.getShort(at + 2 * i) / 32768f;
        }
      }
      case 3 -> {
        for (int i = 0; i < count; i++) {
          int p = at + 3 * i;
          // Most significant byte keeps its sign; the other two are unsigned.
          int msb = little ? buf.get(p + 2) : buf.get(p);
          int mid = buf.get(p + 1) & 0xFF;
          int lsb = (little ? buf.get(p) : buf.get(p + 2)) & 0xFF;
          out[i] = ((msb << 16) | (mid << 8) | lsb) / 8388608f;
        }
      }
      default -> {
        for (int i = 0; i < count; i++) {
          out[i] = (float) (buf.getInt(at + 4 * i) / 2147483648.0);
        }
      }
    }
    return out;
  }

  private static String encodingName(int tag) {
    return switch (tag) {
      case WAVE_FORMAT_PCM -> "PCM";
      case WAVE_FORMAT_IEEE_FLOAT -> "IEEE float";
      case 6 -> "A-law (format tag 6)";
      case 7 -> "mu-law (format tag 7)";
      case 2 -> "MS ADPCM (format tag 2)";
      case 0x11 -> "IMA ADPCM (format tag 0x11)";
      default -> String.format("format tag 0x%04X", tag);
    };
  }

  private static String ascii(byte[] b, int at) {
    return at + 4 <= b.length ? new String(b, at, 4, StandardCharsets.ISO_8859_1) : "";
  }

  private static String printable(String id) {
    return id.replaceAll("[^\\x20-\\x7E]", "?");
  }
}
