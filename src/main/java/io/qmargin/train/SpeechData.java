package io.qmargin.train;

import io.qmargin.UserInputException;
import io.qmargin.audio.FbankOptions;
import io.qmargin.audio.WindowType;
import io.qmargin.data.speech.AugmentationSettings;
import io.qmargin.data.speech.CorpusSplit;
import io.qmargin.data.speech.Fsdd;
import io.qmargin.data.speech.KaldiDataDir;
import io.qmargin.data.speech.SpeakerFolders;
import io.qmargin.data.speech.SpeechAugmentation;
import io.qmargin.data.speech.SpeechCorpus;
import io.qmargin.data.speech.SpeechSampleSet;
import io.qmargin.data.speech.SpeechSources;
import java.nio.file.Path;
import java.util.Map;

/**
 * The speech corpus a configuration names, split into training and held-out utterances:
 *
 * <ul>
 *   <li>{@code found}: every labelled speech source found on this machine (FSDD under {@code
 *       data.path} or {@code $QMARGIN_DATA}, installed Debian speech packages; see {@link
 *       SpeechSources});
 *   <li>{@code fsdd}: the Free Spoken Digit Dataset ({@code data.path} = its folder);
 *   <li>{@code kaldi}: a Kaldi data dir ({@code wav.scp} + {@code utt2spk});
 *   <li>{@code voxceleb}: {@code <root>/<speaker>/<video>/<utt>.wav};
 *   <li>{@code folders}: {@code <root>/<speaker>/<file>}.
 * </ul>
 *
 * Held out: a share of each speaker's utterances ({@code speech.held_out: utterances}; FSDD uses
 * its official split, recordings 0-4 of each digit) or whole speakers ({@code speakers}).
 */
public final class SpeechData {
  private SpeechData() {}

  /** The corpus, its split, and what was found (for the user). */
  public record Split(CorpusSplit split, String description) {}

  public static Split split(TrainConfig config, Map<String, String> env) {
    TrainConfig.Data d = config.data();
    TrainConfig.Speech s = config.speech();
    SpeechCorpus corpus;
    String description;
    switch (d.type()) {
      case FOUND -> {
        Path shared = d.path() != null ? Path.of(d.path()) : SpeechSources.sharedDataDir(env);
        SpeechSources.Discovery found = SpeechSources.discover(shared);
        if (found.isEmpty()) {
          throw new UserInputException(
              "no labelled speech found ("
                  + String.join("; ", found.notes())
                  + "); give data.type kaldi, voxceleb or folders with data.path");
        }
        corpus = found.combined();
        description = found.describe();
      }
      case FSDD -> {
        corpus = Fsdd.read(requirePath(d));
        description = "FSDD at " + d.path() + ": " + corpus.summary();
      }
      case KALDI -> {
        corpus = KaldiDataDir.read(requirePath(d));
        description = "Kaldi data dir " + d.path() + ": " + corpus.summary();
      }
      case VOXCELEB -> {
        corpus = SpeakerFolders.voxceleb(requirePath(d));
        description = "VoxCeleb layout at " + d.path() + ": " + corpus.summary();
      }
      case FOLDERS -> {
        corpus = SpeakerFolders.generic(requirePath(d));
        description = "speaker folders at " + d.path() + ": " + corpus.summary();
      }
      default ->
          throw new IllegalArgumentException(
              "not speech data: " + d.type()); // refused by TrainingTasks.create
    }
    CorpusSplit split =
        switch (s.heldOut()) {
          case UTTERANCES ->
              d.type() == TrainConfig.DataType.FSDD
                  ? Fsdd.officialSplit(corpus)
                  : corpus.splitByUtterances(s.heldOutFraction(), config.seed());
          case SPEAKERS -> corpus.splitBySpeakers(s.heldOutSpeakers(), config.seed());
        };
    return new Split(split, description);
  }

  public static SpeechSampleSet.Options options(TrainConfig config, boolean training) {
    TrainConfig.Speech s = config.speech();
    FbankOptions fbank =
        FbankOptions.defaults().toBuilder()
            .sampleFrequency(s.sampleRate())
            .numMelBins(s.numMelBins())
            // models written before the key existed were trained with Kaldi's default
            .windowType(
                s.windowType() == null ? WindowType.POVEY : WindowType.parse(s.windowType()))
            .build();
    return new SpeechSampleSet.Options(
        s.sampleRate(), fbank, s.cropFrames(), training, config.seed(), (long) s.cacheMb() << 20);
  }

  /** Noise and reverberation for training crops, or null when none is configured. */
  public static SpeechAugmentation augmentation(TrainConfig config) {
    TrainConfig.Speech s = config.speech();
    if (s.noiseProbability() <= 0 && s.reverbProbability() <= 0) {
      return null;
    }
    AugmentationSettings a = AugmentationSettings.none();
    if (s.noiseProbability() > 0) {
      a =
          a.withNoise(
              Path.of(required(s.noiseDir(), "speech.noise_dir")),
              s.noiseProbability(),
              s.snrLow(),
              s.snrHigh());
    }
    if (s.reverbProbability() > 0) {
      a = a.withReverb(Path.of(required(s.rirDir(), "speech.rir_dir")), s.reverbProbability());
    }
    return SpeechAugmentation.open(a, s.sampleRate(), 64L << 20);
  }

  private static String required(String value, String key) {
    if (value == null) {
      throw new UserInputException(key + " must be set when its probability is above 0");
    }
    return value;
  }

  private static Path requirePath(TrainConfig.Data d) {
    if (d.path() == null) {
      throw new UserInputException("data.type " + d.type() + " needs data.path");
    }
    return Path.of(d.path());
  }
}
