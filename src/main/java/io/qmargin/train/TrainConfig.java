package io.qmargin.train;

import com.fasterxml.jackson.annotation.JsonValue;
import io.qmargin.EnumWords;
import io.qmargin.head.HeadType;
import io.qmargin.train.ConfigChecks.OneOf;
import io.qmargin.train.ConfigChecks.Range;
import io.qmargin.train.LearningRateSchedule.Decay;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Everything {@code qmargin train} needs, as one immutable value read from YAML (see {@link
 * ConfigLoader}; every key and its default is in {@code io/qmargin/train/defaults.yaml}). Keys are
 * snake_case in YAML and camelCase here. The allowed values of a key are declared on its component
 * ({@link Range}, {@link OneOf}) and checked by {@link ConfigChecks} whenever a config is read; a
 * component kind (task, data and validation type, head type, decay, held-out set) is an enum, spelt
 * in lower case as in the YAML ({@link EnumWords}), so a misspelt kind is refused when the config
 * is read, as is a validation type the task does not take; a data type of the other task is refused
 * when the task is built ({@link TrainingTasks#create}), before any data is opened. Backbones are
 * checked by the task.
 */
public record TrainConfig(
    Task task,
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

  /** What is trained: face or speaker verification. */
  public enum Task {
    FACE,
    SPEAKER;

    @JsonValue
    @Override
    public String toString() {
      return EnumWords.word(this);
    }
  }

  /** Training data: which set, and (synthetic) how big. */
  public record Data(
      DataType type,
      String path,
      String peopleFile,
      @Range(min = 1) int identities,
      @Range(min = 1) int samplesPerIdentity,
      @Range(min = 1) int imageSize,
      @Range(min = 0) Integer crop,
      @Range(min = 0, max = 1) double flip) {}

  /** Speech data and features (task speaker). */
  public record Speech(
      @Range(min = 1) int sampleRate,
      @Range(min = 1) int numMelBins,
      @OneOf({"povey", "hamming", "hanning", "rectangular", "blackman", "sine"}) String windowType,
      @Range(min = 1) int cropFrames,
      HeldOut heldOut,
      @Range(min = 0, max = 1, maxOpen = true) double heldOutFraction,
      @Range(min = 0) int heldOutSpeakers,
      @Range(min = 0) int cacheMb,
      String noiseDir,
      @Range(min = 0, max = 1) double noiseProbability,
      double snrLow,
      double snrHigh,
      String rirDir,
      @Range(min = 0, max = 1) double reverbProbability) {}

  /** The data sets each task reads ({@link FaceData}, {@link SpeechData}). */
  public enum DataType {
    SYNTHETIC(Task.FACE),
    FOLDER(Task.FACE),
    RECORDIO(Task.FACE),
    LFW(Task.FACE),
    FOUND(Task.SPEAKER),
    FSDD(Task.SPEAKER),
    KALDI(Task.SPEAKER),
    VOXCELEB(Task.SPEAKER),
    FOLDERS(Task.SPEAKER);

    private final Task task;

    DataType(Task task) {
      this.task = task;
    }

    /** The task whose data this is. */
    public Task task() {
      return task;
    }

    @JsonValue
    @Override
    public String toString() {
      return EnumWords.word(this);
    }
  }

  /** Speech: held-out utterances of the training speakers, or held-out speakers. */
  public enum HeldOut {
    UTTERANCES,
    SPEAKERS;

    @JsonValue
    @Override
    public String toString() {
      return EnumWords.word(this);
    }
  }

  /**
   * {@code model}: the backbone and the embedding; {@code init}, when set, a model whose weights
   * the backbone starts from (a run or model directory, or a foreign weight file; see {@link
   * Models#load}).
   */
  public record Model(
      String backbone,
      @Range(min = 1) int embeddingDim,
      @Range(min = 0, max = 1, maxOpen = true) double dropout,
      String init) {}

  /** The classification head; see {@link io.qmargin.head.HeadSettings}. */
  public record Head(
      HeadType type,
      @Range(min = 1) int blockRows,
      @Range(min = 0, max = 1, minOpen = true) double sampleRate,
      @Range(min = 0, minOpen = true) double initStd,
      @OneOf({"auto", "bf16", "fp32"}) String screening) {}

  /** SGD with momentum and weight decay; the prototypes are a separate group with a scaled lr. */
  public record Optimizer(
      @Range(min = 0, minOpen = true) double lr,
      @Range(min = 0, max = 1, maxOpen = true) double momentum,
      @Range(min = 0) double weightDecay,
      @Range(min = 0) double prototypeLrScale,
      @Range(min = 0) double gradClip) {}

  /**
   * The learning-rate schedule ({@link LearningRateSchedule}); epochs may be fractional but not 0.
   */
  public record Schedule(
      @Range(min = 0, minOpen = true) double epochs,
      @Range(min = 0) double warmupEpochs,
      Decay decay,
      @Range(min = 0) double power,
      @Range(min = 0) List<Double> milestones,
      @Range(min = 0, minOpen = true) double gamma,
      @Range(min = 0) double finalLr) {}

  /** {@code margin_schedule}: the margin ramp. */
  public record MarginSchedule(
      @Range(min = 0) double startEpoch, @Range(min = 0) double rampEpochs) {}

  /** {@code validation}: the protocols checked during and after training. */
  public record Validation(
      ValidationType type,
      String path,
      String peopleFile,
      @Range(min = 0) double everyEpochs,
      boolean flip,
      @Range(min = 2) int identities,
      @Range(min = 2) int samplesPerIdentity,
      @Range(min = 0, max = 1, minOpen = true, maxOpen = true) List<Double> far) {}

  /**
   * The validation protocols ({@link FaceData#validators}): auto picks the training data's own
   * (faces: synthetic or LFW, else none; speakers: all pairs of held-out utterances); the rest are
   * face protocols.
   */
  public enum ValidationType {
    AUTO(Task.FACE, Task.SPEAKER),
    NONE(Task.FACE, Task.SPEAKER),
    SYNTHETIC(Task.FACE),
    LFW(Task.FACE),
    BIN(Task.FACE);

    private final Set<Task> tasks;

    ValidationType(Task first, Task... more) {
      this.tasks = EnumSet.of(first, more);
    }

    /** Whether a run of {@code task} can validate this way. */
    public boolean appliesTo(Task task) {
      return tasks.contains(task);
    }

    @JsonValue
    @Override
    public String toString() {
      return EnumWords.word(this);
    }
  }

  /** {@code a3m_reinit}: when A3M re-initialises the prototypes to class means. */
  public record A3mReinit(
      @Range(min = 0) List<Double> atEpochs,
      @Range(min = 0, max = 1) double targetOutThreshold,
      @Range(min = 1) int patienceSteps,
      @Range(min = 0) int maxTimes) {}
}
