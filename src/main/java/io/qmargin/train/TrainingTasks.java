package io.qmargin.train;

import ai.djl.nn.Block;
import io.qmargin.EnumWords;
import io.qmargin.UserInputException;
import io.qmargin.model.Backbones;
import io.qmargin.model.speaker.SpeakerBackbones;
import io.qmargin.train.TrainConfig.DataType;
import io.qmargin.train.TrainConfig.Task;
import io.qmargin.train.TrainConfig.ValidationType;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The {@link TrainingTask} a config's {@code task} names, the kinds each task takes, and each
 * task's default loss.
 */
public final class TrainingTasks {
  private TrainingTasks() {}

  /** The paper's face setting (alpha 1.25, s 35, m 0.2). */
  public static final String FACE_LOSS = "qmargin:alpha=1.25,s=35,m=0.2";

  /**
   * The paper's speaker setting (alpha 1.5, s 10, m 0.2): the face scale is far too large for
   * speakers.
   */
  public static final String SPEAKER_LOSS = "qmargin:alpha=1.5,s=10,m=0.2";

  /**
   * The task of {@code config}, once its data type is known to be one of the task's (checked here,
   * not when the config is read, because the default data type, synthetic, is a face type: {@code
   * task: speaker} alone is a valid config that names its data later, e.g. by {@code --data}).
   */
  public static TrainingTask create(TrainConfig config, Map<String, String> env) {
    Task task = config.task();
    DataType data = config.data().type();
    if (data.task() != task) {
      throw new UserInputException(
          "data.type "
              + EnumWords.notOneOf(
                  words(Arrays.stream(DataType.values()).filter(t -> t.task() == task).toArray())
                      + " for task "
                      + task,
                  data.toString()));
    }
    return switch (task) {
      case FACE -> new FaceTask(config, env);
      case SPEAKER -> new SpeakerTask(config, env);
    };
  }

  /**
   * The backbone {@code config} names (uninitialised), built without opening the config's data:
   * what reading a trained model back needs.
   */
  public static Block backbone(TrainConfig config) {
    TrainConfig.Model m = config.model();
    return switch (config.task()) {
      case FACE ->
          Backbones.create(
              m.backbone(), m.embeddingDim(), (float) m.dropout(), config.data().imageSize());
      case SPEAKER ->
          SpeakerBackbones.create(m.backbone(), m.embeddingDim(), config.speech().numMelBins());
    };
  }

  /**
   * Refuses a {@code validation.type} that the config's task does not take ({@code lfw} for
   * speakers) when the config is read; {@code originOf} names where a key's value came from.
   */
  static void checkKinds(TrainConfig config, Function<String, String> originOf) {
    Task task = config.task();
    ValidationType validation = config.validation().type();
    if (!validation.appliesTo(task)) {
      // today's only case: the face protocols, which do not apply to speech
      throw new UserInputException(
          originOf.apply("validation.type")
              + ": validation.type "
              + validation
              + " is a face protocol; task "
              + task
              + " takes auto (all pairs of held-out utterances) or none");
    }
  }

  private static String words(Object[] constants) {
    return Arrays.stream(constants).map(String::valueOf).collect(Collectors.joining(", "));
  }

  /**
   * The loss a config of {@code task} (as written, any case) trains with when it leaves {@code
   * loss} null; empty for an unknown task.
   */
  public static Optional<String> defaultLoss(String task) {
    return EnumWords.find(Task.class, task).map(TrainingTasks::defaultLoss);
  }

  /** The loss a config of {@code task} trains with when it leaves {@code loss} null. */
  public static String defaultLoss(Task task) {
    return switch (task) {
      case FACE -> FACE_LOSS;
      case SPEAKER -> SPEAKER_LOSS;
    };
  }
}
