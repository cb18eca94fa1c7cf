package io.qmargin.data.speech;

import io.qmargin.UserInputException;
import io.qmargin.audio.CepstralMeanNormalization;
import io.qmargin.audio.Fbank;
import io.qmargin.audio.FbankOptions;
import io.qmargin.audio.FeatureMatrix;
import io.qmargin.audio.Waveform;
import io.qmargin.data.SampleSet;
import io.qmargin.data.Seeds;
import io.qmargin.data.UnreadableSampleException;
import java.util.SplittableRandom;

/**
 * A {@link SpeechCorpus} as the trainer sees it: each sample a fixed-length crop of an utterance,
 * as log-mel filterbank features ({@code cropFrames} × mel bins, row-major), labelled with the
 * speaker.
 *
 * <p>Pipeline of {@link #load}, in wespeaker's order:
 *
 * <ol>
 *   <li>decode the file, mix to mono and resample to {@code sampleRate} ({@link WaveformCache},
 *       optionally kept in memory);
 *   <li><b>crop the waveform</b> (not the features) to exactly the samples that give {@code
 *       cropFrames} frames: (cropFrames - 1) × shift + window samples with Kaldi's snip-edges
 *       (32240 samples = 200 frames at 16 kHz). Training ({@code randomCrop}): the start is uniform
 *       over all positions; evaluation: the centred crop. An utterance shorter than the crop is
 *       <b>repeated</b> from its start (x x x ... cut to length; no random offset), as wespeaker's
 *       {@code get_random_chunk} pads;
 *   <li>augment the crop ({@link SpeechAugmentation}: reverberation, additive noise) when given;
 *   <li>Kaldi fbank ({@link Fbank}; FbankOptions defaults: 80 bins, 25/10 ms, povey window, dither
 *       0 unless configured) on the 16-bit scale;
 *   <li>per-utterance cepstral mean normalisation, without variance normalisation (wespeaker's
 *       default), over the crop's frames.
 * </ol>
 *
 * The random choices for sample i in epoch e come from {@code new SplittableRandom(mix(seed, e,
 * i))} alone (the crop start first, then the augmentation), so {@code load} is deterministic and
 * thread-safe.
 *
 * <p>{@link #features(int)} gives a whole utterance (variable length, no augmentation) for
 * embedding extraction. A file that cannot be decoded ({@link
 * io.qmargin.audio.CorruptAudioException}) or has gone missing is an {@link
 * UnreadableSampleException} naming it, which the trainer skips.
 */
public final class SpeechSampleSet implements SampleSet {

  /**
   * How utterances become samples. {@code sampleRate}: the model's rate (audio is resampled to it;
   * default 16000); {@code fbank}: feature options, whose sample frequency must equal {@code
   * sampleRate} (the withers keep them equal); {@code cropFrames}: frames per sample (default 200 =
   * 2 s at a 10 ms shift); {@code randomCrop}: training (random crop, augmentation) or evaluation
   * (centred crop, no augmentation); {@code seed}; {@code cacheBytes}: memory for decoded waveforms
   * (0: decode on every load).
   */
  public record Options(
      int sampleRate,
      FbankOptions fbank,
      int cropFrames,
      boolean randomCrop,
      long seed,
      long cacheBytes) {
    public Options {
      if (sampleRate <= 0) {
        throw new UserInputException("sample rate must be positive, got " + sampleRate);
      }
      if (fbank.sampleFrequency() != sampleRate) {
        throw new UserInputException(
            "fbank sample frequency "
                + fbank.sampleFrequency()
                + " Hz differs from the sample rate "
                + sampleRate
                + " Hz");
      }
      if (cropFrames < 1) {
        throw new UserInputException("crop length must be at least 1 frame, got " + cropFrames);
      }
      if (cacheBytes < 0) {
        throw new UserInputException("waveform cache must be >= 0 bytes, got " + cacheBytes);
      }
    }

    /** 16 kHz, FbankOptions defaults (80 bins), 200-frame random crops, seed 0, no cache. */
    public static Options defaults() {
      return new Options(16000, FbankOptions.defaults(), 200, true, 0, 0);
    }

    /** Another model rate; the fbank options follow. */
    public Options withSampleRate(int rate) {
      return new Options(
          rate,
          fbank.toBuilder().sampleFrequency(rate).build(),
          cropFrames,
          randomCrop,
          seed,
          cacheBytes);
    }

    public Options withCropFrames(int frames) {
      return new Options(sampleRate, fbank, frames, randomCrop, seed, cacheBytes);
    }

    /** True: training (random crops, augmentation); false: evaluation (centred crops, none). */
    public Options withRandomCrop(boolean random) {
      return new Options(sampleRate, fbank, cropFrames, random, seed, cacheBytes);
    }

    public Options withSeed(long s) {
      return new Options(sampleRate, fbank, cropFrames, randomCrop, s, cacheBytes);
    }

    public Options withCacheBytes(long bytes) {
      return new Options(sampleRate, fbank, cropFrames, randomCrop, seed, bytes);
    }
  }

  /**
   * Where a crop starts in the decoded waveform, in samples; {@code repeated}: the utterance was
   * shorter and is repeated.
   */
  public record Crop(int start, int length, boolean repeated) {}

  private final SpeechCorpus corpus;
  private final Options options;
  private final SpeechAugmentation augmentation;
  private final Fbank fbank;
  private final WaveformCache cache;
  private final int cropSamples;

  /** Without augmentation. */
  public SpeechSampleSet(SpeechCorpus corpus, Options options) {
    this(corpus, options, null);
  }

  /**
   * {@code augmentation} (may be null) is applied to training crops only, and must be at the same
   * sample rate.
   */
  public SpeechSampleSet(SpeechCorpus corpus, Options options, SpeechAugmentation augmentation) {
    if (corpus.size() == 0) {
      throw new UserInputException(corpus.description() + ": no utterances");
    }
    if (augmentation != null && augmentation.sampleRate() != options.sampleRate()) {
      throw new IllegalArgumentException(
          "augmentation at "
              + augmentation.sampleRate()
              + " Hz, samples at "
              + options.sampleRate()
              + " Hz");
    }
    this.corpus = corpus;
    this.options = options;
    this.augmentation = augmentation;
    this.fbank = new Fbank(options.fbank());
    this.cache = new WaveformCache(options.sampleRate(), options.cacheBytes());
    this.cropSamples = samplesFor(fbank, options.cropFrames());
  }

  /** The fewest samples that give {@code frames} frames. */
  static int samplesFor(Fbank fbank, int frames) {
    FbankOptions o = fbank.options();
    long n =
        o.snipEdges()
            ? (long) (frames - 1) * o.windowShift() + o.windowSize()
            : (long) frames * o.windowShift() - o.windowShift() / 2;
    if (n > Integer.MAX_VALUE || fbank.numFrames(n) != frames || fbank.numFrames(n - 1) == frames) {
      throw new IllegalStateException("no crop length for " + frames + " frames");
    }
    return (int) n;
  }

  public SpeechCorpus corpus() {
    return corpus;
  }

  public Options options() {
    return options;
  }

  /** Samples per crop (32240 for 200 frames at 16 kHz). */
  public int cropSamples() {
    return cropSamples;
  }

  public WaveformCache cache() {
    return cache;
  }

  @Override
  public int size() {
    return corpus.size();
  }

  @Override
  public int numClasses() {
    return corpus.numSpeakers();
  }

  @Override
  public int label(int index) {
    return corpus.label(index);
  }

  @Override
  public String source(int index) {
    return corpus.utterance(index).path().toString();
  }

  @Override
  public long[] sampleShape() {
    return new long[] {options.cropFrames(), options.fbank().featureDim()};
  }

  @Override
  public float[] load(int index, long epoch) {
    return features(trainingWaveform(index, epoch)).values();
  }

  /** The generator of sample {@code index} in {@code epoch}. */
  SplittableRandom random(int index, long epoch) {
    return new SplittableRandom(Seeds.mix(options.seed(), epoch, index));
  }

  /**
   * The decoded utterance, mono at the sample rate (shared when cached: do not modify).
   *
   * @throws UnreadableSampleException when it cannot be read or has no samples
   */
  public float[] waveform(int index) {
    String source = source(index);
    float[] x;
    try {
      x = cache.get(corpus.utterance(index).path());
    } catch (UserInputException e) {
      // CorruptAudioException (undecodable) or a file that went missing since the corpus was read.
      throw new UnreadableSampleException(source, problem(e, source), e);
    }
    if (x.length == 0) {
      throw new UnreadableSampleException(source, "no audio samples", null);
    }
    return x;
  }

  private static String problem(RuntimeException e, String source) {
    String m = e.getMessage();
    return m != null && m.startsWith(source + ": ") ? m.substring(source.length() + 2) : m;
  }

  /** Where the crop of sample {@code index} in {@code epoch} starts. */
  public Crop crop(int index, long epoch) {
    return crop(waveform(index).length, random(index, epoch));
  }

  private Crop crop(int n, SplittableRandom rnd) {
    if (n < cropSamples) {
      return new Crop(0, cropSamples, true);
    }
    int start = options.randomCrop() ? rnd.nextInt(n - cropSamples + 1) : (n - cropSamples) / 2;
    return new Crop(start, cropSamples, false);
  }

  /**
   * The waveform the features of {@link #load} are computed from: the crop, augmented in training.
   */
  public float[] trainingWaveform(int index, long epoch) {
    float[] x = waveform(index);
    SplittableRandom rnd = random(index, epoch);
    Crop c = crop(x.length, rnd);
    float[] piece = Chunks.chunk(x, c.start(), c.length());
    if (augmentation != null && options.randomCrop()) {
      try {
        piece = augmentation.apply(piece, rnd);
      } catch (UserInputException e) {
        throw new UnreadableSampleException(source(index), "augmentation: " + e.getMessage(), e);
      }
    }
    return piece;
  }

  /**
   * Features of the whole utterance (no crop, no augmentation), mean-normalised over all its
   * frames; an utterance shorter than one frame is repeated to one frame.
   */
  public FeatureMatrix features(int index) {
    float[] x = waveform(index);
    int window = options.fbank().windowSize();
    return features(x.length < window ? Chunks.chunk(x, 0, window) : x);
  }

  /** Fbank and per-utterance mean normalisation of samples at the sample rate. */
  public FeatureMatrix features(float[] samples) {
    return features(fbank, samples);
  }

  /**
   * {@link #features(float[])} for samples that belong to no corpus (a service's uploads): mono
   * samples at the filterbank's sample frequency.
   */
  public static FeatureMatrix features(Fbank fbank, float[] samples) {
    FeatureMatrix raw =
        fbank.compute(new Waveform(samples, (int) fbank.options().sampleFrequency(), 1));
    return CepstralMeanNormalization.perUtterance(raw, false);
  }
}
