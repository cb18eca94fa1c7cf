package io.qmargin.train;

import java.util.List;

/**
 * Everything {@code qmargin train} needs, as one immutable value read from YAML (see {@link
 * ConfigLoader}; every key and its default is in {@code io/qmargin/train/defaults.yaml}). Keys are
 * snake_case in YAML and camelCase here.
 */
public record TrainConfig(
    String task,
    long seed,
    Data data,
    Speech speech,
    Model model,
    String loss,
    Head head,
    Optimizer optimizer,
    Schedule schedule,
    MarginSchedule marginSchedule,
    int batchSize,
    int loaderThreads,
    int checkpointEverySteps,
    int logEverySteps,
    Validation validation,
    A3mReinit a3mReinit) {

  /** Training data: which set, and (synthetic) how big. */
  public record Data(String type, String path, String peopleFile, int identities, int samplesPerIdentity,
      int imageSize, Integer crop, double flip) {}

  /** Speech data and features (task speaker). */
  public record Speech(int sampleRate, int numMelBins, int cropFrames, String heldOut, double heldOutFraction,
      int heldOutSpeakers, int cacheMb, String noiseDir, double noiseProbability, double snrLow, double snrHigh,
      String rirDir, double reverbProbability) {}

  public record Model(String backbone, int embeddingDim, double dropout) {}

  /** The classification head; see {@link io.qmargin.head.HeadSettings}. */
  public record Head(String type, int blockRows, double sampleRate, double initStd, String screening) {}

  /** SGD with momentum and weight decay; the prototypes are a separate group with a scaled lr. */
  public record Optimizer(double lr, double momentum, double weightDecay, double prototypeLrScale, double gradClip) {}

  public record Schedule(double epochs, double warmupEpochs, String decay, double power, List<Double> milestones,
      double gamma, double finalLr) {}

  public record MarginSchedule(double startEpoch, double rampEpochs) {}

  public record Validation(String type, String path, String peopleFile, double everyEpochs, boolean flip, int identities,
      int samplesPerIdentity, List<Double> far) {}

  public record A3mReinit(List<Double> atEpochs, double targetOutThreshold, int patienceSteps, int maxTimes) {}
}
