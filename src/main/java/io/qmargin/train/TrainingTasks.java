package io.qmargin.train;

import io.qmargin.UserInputException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The {@link TrainingTask} a config's {@code task} names, and each task's default loss. */
public final class TrainingTasks {
  private TrainingTasks() {}

  /** The paper's face setting (alpha 1.25, s 35, m 0.2). */
  public static final String FACE_LOSS = "qmargin:alpha=1.25,s=35,m=0.2";
  /** The paper's speaker setting (alpha 1.5, s 10, m 0.2): the face scale is far too large for speakers. */
  public static final String SPEAKER_LOSS = "qmargin:alpha=1.5,s=10,m=0.2";

  public static TrainingTask create(TrainConfig config, Map<String, String> env) {
    return switch (config.task().toLowerCase(Locale.ROOT)) {
      case "face" -> new FaceTask(config, env);
      case "speaker" -> {
        // the face protocols do not apply to speech; SpeakerTask would score held-out utterances anyway
        String validation = config.validation().type().toLowerCase(Locale.ROOT);
        if (!validation.equals("auto") && !validation.equals("none")) {
          throw new UserInputException("validation.type " + config.validation().type() + " is a face protocol; "
              + "task speaker takes auto (all pairs of held-out utterances) or none");
        }
        yield new SpeakerTask(config, env);
      }
      default -> throw new UserInputException("task must be face or speaker, got '" + config.task() + "'");
    };
  }

  /** The loss a config of {@code task} trains with when it leaves {@code loss} null; empty for an unknown task. */
  public static Optional<String> defaultLoss(String task) {
    return switch (task.toLowerCase(Locale.ROOT)) {
      case "face" -> Optional.of(FACE_LOSS);
      case "speaker" -> Optional.of(SPEAKER_LOSS);
      default -> Optional.empty();
    };
  }
}
