package io.qmargin.data.speech;

import io.qmargin.audio.AudioReader;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decoded mono waveforms at one sample rate, kept in memory up to a byte budget (4 bytes per
 * sample), least recently used evicted first. A budget of 0 keeps nothing. Thread-safe; two threads
 * asking for the same uncached file may both decode it.
 */
public final class WaveformCache {
  private final int sampleRate;
  private final long budgetBytes;
  private final LinkedHashMap<Path, float[]> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  public WaveformCache(int sampleRate, long budgetBytes) {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
    }
    if (budgetBytes < 0) {
      throw new IllegalArgumentException("cache budget must be >= 0 bytes, got " + budgetBytes);
    }
    this.sampleRate = sampleRate;
    this.budgetBytes = budgetBytes;
  }

  public int sampleRate() {
    return sampleRate;
  }

  /**
   * The file's samples, mono at {@link #sampleRate()}; the returned array is shared and must not be
   * modified. Decoding errors propagate ({@code CorruptAudioException}, or {@code
   * UserInputException} for a missing file).
   */
  public float[] get(Path path) {
    if (budgetBytes > 0) {
      synchronized (this) {
        float[] v = entries.get(path);
        if (v != null) {
          hits.incrementAndGet();
          return v;
        }
      }
    }
    misses.incrementAndGet();
    float[] samples = AudioReader.readMono(path, sampleRate).samples();
    long size = 4L * samples.length;
    if (budgetBytes > 0 && size <= budgetBytes) {
      synchronized (this) {
        float[] old = entries.put(path, samples);
        bytes += size - (old == null ? 0 : 4L * old.length);
        Iterator<Map.Entry<Path, float[]>> it = entries.entrySet().iterator();
        while (bytes > budgetBytes && it.hasNext()) {
          Map.Entry<Path, float[]> e = it.next();
          bytes -= 4L * e.getValue().length;
          it.remove();
        }
      }
    }
    return samples;
  }

  /** Bytes of samples held now. */
  public synchronized long bytes() {
    return bytes;
  }

  public long budgetBytes() {
    return budgetBytes;
  }

  public long hits() {
    return hits.get();
  }

  public long misses() {
    return misses.get();
  }
}
