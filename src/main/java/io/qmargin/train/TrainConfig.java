package io.qmargin.train;

import io.qmargin.train.ConfigChecks.OneOf;
import io.qmargin.train.ConfigChecks.Range;
import java.util.List;

/**
 * Everything {@code qmargin train} needs, as one immutable value read from YAML (see {@link
 * ConfigLoader}; every key and its default is in {@code io/qmargin/train/defaults.yaml}). Keys are
 * snake_case in YAML and camelCase here. The allowed values of a key are declared on its component
 * ({@link Range}, {@link OneOf}) and checked by {@link ConfigChecks} whenever a config is read; values
 * that depend on the task (data types, backbones) are checked by the task.
 */
public record TrainConfig(
    @OneOf({"face", "speaker"}) String task,
    long seed,
    Data data,
    Speech speech,
    Model model,
    String loss,
    Head head,
    Optimizer optimizer,
    Schedule schedule,
    MarginSchedule marginSchedule,
    @Range(min = 1) int batchSize,
    @Range(min = 1) int loaderThreads,
    @Range(min = 1) int checkpointEverySteps,
    @Range(min = 1) int logEverySteps,
    Validation validation,
    A3mReinit a3mReinit) {

  /** Training data: which set, and (synthetic) how big. */
  public record Data(String type, String path, String peopleFile, @Range(min = 1) int identities,
      @Range(min = 1) int samplesPerIdentity, @Range(min = 1) int imageSize, @Range(min = 0) Integer crop,
      @Range(min = 0, max = 1) double flip) {}

  /** Speech data and features (task speaker). */
  public record Speech(@Range(min = 1) int sampleRate, @Range(min = 1) int numMelBins, @Range(min = 1) int cropFrames,
      @OneOf({"utterances", "speakers"}) String heldOut, @Range(min = 0, max = 1, maxOpen = true) double heldOutFraction,
      @Range(min = 0) int heldOutSpeakers, @Range(min = 0) int cacheMb, String noiseDir,
      @Range(min = 0, max = 1) double noiseProbability, double snrLow, double snrHigh, String rirDir,
      @Range(min = 0, max = 1) double reverbProbability) {}

  public record Model(String backbone, @Range(min = 1) int embeddingDim,
      @Range(min = 0, max = 1, maxOpen = true) double dropout) {}

  /** The classification head; see {@link io.qmargin.head.HeadSettings}. */
  public record Head(@OneOf({"dense", "sparse", "partial_fc"}) String type, @Range(min = 1) int blockRows,
      @Range(min = 0, max = 1, minOpen = true) double sampleRate, @Range(min = 0, minOpen = true) double initStd,
      @OneOf({"auto", "bf16", "fp32"}) String screening) {}

  /** SGD with momentum and weight decay; the prototypes are a separate group with a scaled lr. */
  public record Optimizer(@Range(min = 0, minOpen = true) double lr, @Range(min = 0, max = 1, maxOpen = true) double momentum,
      @Range(min = 0) double weightDecay, @Range(min = 0) double prototypeLrScale, @Range(min = 0) double gradClip) {}

  /** The learning-rate schedule ({@link LearningRateSchedule}); epochs may be fractional but not 0. */
  public record Schedule(@Range(min = 0, minOpen = true) double epochs, @Range(min = 0) double warmupEpochs,
      @OneOf({"poly", "step", "exponential", "constant"}) String decay, @Range(min = 0) double power,
      @Range(min = 0) List<Double> milestones, @Range(min = 0, minOpen = true) double gamma,
      @Range(min = 0) double finalLr) {}

  public record MarginSchedule(@Range(min = 0) double startEpoch, @Range(min = 0) double rampEpochs) {}

  public record Validation(@OneOf({"auto", "none", "synthetic", "lfw", "bin"}) String type, String path,
      String peopleFile, @Range(min = 0) double everyEpochs, boolean flip, @Range(min = 2) int identities,
      @Range(min = 2) int samplesPerIdentity, @Range(min = 0, max = 1, minOpen = true, maxOpen = true) List<Double> far) {}

  public record A3mReinit(@Range(min = 0) List<Double> atEpochs, @Range(min = 0, max = 1) double targetOutThreshold,
      @Range(min = 1) int patienceSteps, @Range(min = 0) int maxTimes) {}
}
