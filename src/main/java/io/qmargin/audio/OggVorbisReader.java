package io.qmargin.audio;

import com.jcraft.jogg.Packet;
import com.jcraft.jogg.Page;
import com.jcraft.jogg.StreamState;
import com.jcraft.jogg.SyncState;
import com.jcraft.jorbis.Block;
import com.jcraft.jorbis.Comment;
import com.jcraft.jorbis.DspState;
import com.jcraft.jorbis.Info;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads Ogg Vorbis files through the pure-Java decoder JOrbis ({@code
 * com.googlecode.soundlibs:jorbis}). Vorbis decodes to floats in [-1, 1] directly, the same scale
 * as {@link WavReader}.
 *
 * <p>The decoded length is trimmed to the end-of-stream page's granule position, as libvorbisfile
 * does. Only the first logical stream of a chained file is read. A hole in the page sequence, a bad
 * packet, or a stream that ends without its end-of-stream page (a truncated file) is a {@link
 * CorruptAudioException} naming the path.
 */
public final class OggVorbisReader {
  private OggVorbisReader() {}

  private static final int CHUNK = 1 << 15;

  /** True when the bytes start with an Ogg page. */
  public static boolean looksLikeOgg(byte[] head) {
    return head.length >= 4 && head[0] == 'O' && head[1] == 'g' && head[2] == 'g' && head[3] == 'S';
  }

  /**
   * Decodes a whole Ogg Vorbis file held in memory; {@code path} is only used in error messages.
   */
  public static Waveform decode(byte[] bytes, Path path) {
    try {
      return new Decoder(bytes, path).run();
    } catch (CorruptAudioException e) {
      throw e;
    } catch (RuntimeException e) {
      // JOrbis signals some malformed input by indexing out of bounds.
      throw new CorruptAudioException(path, "corrupt Ogg Vorbis: " + e, e);
    }
  }

  private static final class Decoder {
    private final byte[] bytes;
    private final Path path;
    private int fed;
    private final SyncState sync = new SyncState();
    private final StreamState stream = new StreamState();
    private final Page page = new Page();
    private final Packet packet = new Packet();
    private float[] out = new float[1 << 16];
    private int outSize;

    Decoder(byte[] bytes, Path path) {
      this.bytes = bytes;
      this.path = path;
      sync.init();
    }

    /** Hands the next chunk of the file to the page synchroniser; false at end of file. */
    private boolean feed() {
      if (fed >= bytes.length) {
        return false;
      }
      int n = Math.min(CHUNK, bytes.length - fed);
      int index = sync.buffer(n);
      System.arraycopy(bytes, fed, sync.data, index, n);
      sync.wrote(n);
      fed += n;
      return true;
    }

    /** Next page of the stream: 1 when one is ready, 0 at end of file. */
    private int nextPage() {
      while (true) {
        int result = sync.pageout(page);
        if (result == 1) {
          return 1;
        }
        if (result < 0) {
          throw new CorruptAudioException(
              path, "corrupt Ogg: missing or corrupt data in the page sequence at byte " + fed);
        }
        if (!feed()) {
          return 0;
        }
      }
    }

    Waveform run() {
      if (nextPage() != 1) {
        throw new CorruptAudioException(path, "not an Ogg file (no Ogg page found)");
      }
      int serial = page.serialno();
      stream.init(serial);
      Info info = new Info();
      Comment comment = new Comment();
      info.init();
      comment.init();
      if (stream.pagein(page) < 0
          || stream.packetout(packet) != 1
          || info.synthesis_headerin(comment, packet) < 0) {
        throw new CorruptAudioException(
            path, "not an Ogg Vorbis file (the first packet is not a Vorbis header)");
      }
      int headers = 1;
      while (headers < 3) {
        int result = stream.packetout(packet);
        if (result == 0) {
          if (nextPage() != 1) {
            throw new CorruptAudioException(
                path, "truncated Ogg Vorbis: the file ends inside the Vorbis headers");
          }
          stream.pagein(page);
          continue;
        }
        if (result < 0 || info.synthesis_headerin(comment, packet) < 0) {
          throw new CorruptAudioException(
              path, "corrupt Ogg Vorbis: bad header packet " + (headers + 1));
        }
        headers++;
      }
      if (info.channels <= 0) {
        throw new CorruptAudioException(path, "corrupt Ogg Vorbis: " + info.channels + " channels");
      }
      int rate = AudioReader.requirePlausibleRate(info.rate, path);
      int channels = info.channels;
      DspState dsp = new DspState();
      dsp.synthesis_init(info);
      Block block = new Block(dsp);
      float[][][] pcmHolder = new float[1][][];
      int[] offsets = new int[channels];
      boolean endOfStream = page.eos() != 0;
      while (true) {
        int result;
        while ((result = stream.packetout(packet)) != 0) {
          if (result < 0) {
            throw new CorruptAudioException(
                path, "corrupt Ogg Vorbis: missing or corrupt packet near byte " + fed);
          }
          if (block.synthesis(packet) == 0) {
            dsp.synthesis_blockin(block);
          }
          int n;
          while ((n = dsp.synthesis_pcmout(pcmHolder, offsets)) > 0) {
            append(pcmHolder[0], offsets, n, channels);
            dsp.synthesis_read(n);
          }
        }
        if (endOfStream) {
          break;
        }
        if (nextPage() != 1) {
          throw new CorruptAudioException(
              path, "truncated Ogg Vorbis: the file ends before the end-of-stream page");
        }
        if (page.serialno() != serial) {
          // A page of another logical stream (chained or multiplexed file): only the first is read.
          continue;
        }
        if (stream.pagein(page) < 0) {
          throw new CorruptAudioException(
              path, "corrupt Ogg Vorbis: page out of sequence near byte " + fed);
        }
        endOfStream = page.eos() != 0;
      }
      // The last page's granule position is the stream's true length: the final Vorbis block is
      // padded, and JOrbis (unlike libvorbisfile) does not trim it.
      long granule = page.granulepos();
      int frames = outSize / channels;
      if (granule >= 0 && granule < frames) {
        outSize = (int) granule * channels;
      }
      return new Waveform(Arrays.copyOf(out, outSize), rate, channels);
    }

    private void append(float[][] pcm, int[] offsets, int n, int channels) {
      long needed = outSize + (long) n * channels;
      if (needed > Integer.MAX_VALUE - 8) {
        throw new CorruptAudioException(path, "Ogg Vorbis stream longer than 2^31 samples");
      }
      if (needed > out.length) {
        out =
            Arrays.copyOf(
                out, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * out.length)));
      }
      for (int c = 0; c < channels; c++) {
        float[] ch = pcm[c];
        int off = offsets[c];
        for (int i = 0; i < n; i++) {
          out[outSize + i * channels + c] = ch[off + i];
        }
      }
      outSize = (int) needed;
    }
  }
}
