package io.qmargin.train;

import ai.djl.nn.Block;
import io.qmargin.data.SampleSet;
import io.qmargin.data.speech.SpeechCorpus;
import io.qmargin.data.speech.SpeechSampleSet;
import io.qmargin.model.speaker.SpeakerBackbones;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Speaker verification: random fixed-length crops of the training utterances for training (with
 * optional noise and reverberation), whole held-out utterances for validation, scored on all pairs
 * (every pair of held-out utterances is a trial), and the {@link SpeakerBackbones}.
 */
public final class SpeakerTask implements TrainingTask {
  /** At most this many held-out utterances are scored all-pairs during training (n² / 2 trials). */
  public static final int MAX_VALIDATION_UTTERANCES = 4000;

  private final TrainConfig config;
  private final SpeechData.Split split;
  private SpeechSampleSet train;

  public SpeakerTask(TrainConfig config, Map<String, String> env) {
    this.config = config;
    this.split = SpeechData.split(config, env);
  }

  /** What data was found and how it was split, for the user. */
  public String description() {
    return split.description()
        + "; training on "
        + split.split().train().summary()
        + ", held out "
        + split.split().heldOut().summary();
  }

  @Override
  public synchronized SampleSet trainingSet() {
    if (train == null) {
      train =
          new SpeechSampleSet(
              split.split().train(),
              SpeechData.options(config, true),
              SpeechData.augmentation(config));
    }
    return train;
  }

  @Override
  public List<Validator> validators() {
    if (config.validation().type() == TrainConfig.ValidationType.NONE
        || split.split().heldOut().size() == 0) {
      return List.of();
    }
    SpeechCorpus held = split.split().heldOut();
    SpeechCorpus trainCorpus = split.split().train();
    SpeechSampleSet test = new SpeechSampleSet(held, SpeechData.options(config, false));
    int n = Math.min(held.size(), MAX_VALIDATION_UTTERANCES);
    int[] pick = new int[n];
    for (int i = 0; i < n; i++) {
      pick[i] = (int) ((long) i * held.size() / n);
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = held.label(pick[i]);
    }
    String description =
        String.format(
            Locale.ROOT,
            "held-out utterances (%d of %d speakers, %d utterances%s, all pairs)",
            held.numSpeakers(),
            Math.max(held.numSpeakers(), trainCorpus.numSpeakers()),
            n,
            n < held.size() ? " of " + held.size() : "");
    List<Validator> out = new ArrayList<>();
    out.add(
        new AllPairsValidator(
            description,
            (e, p) ->
                e.embedEach(
                    n,
                    i -> {
                      var f = test.features(pick[i]);
                      return new Embedder.Sample(f.values(), new long[] {f.numFrames(), f.dim()});
                    },
                    p),
            labels,
            config.validation().far()));
    return out;
  }

  @Override
  public Block backbone() {
    return TrainingTasks.backbone(config);
  }
}
