package io.qmargin.train;

import io.qmargin.UserInputException;
import java.util.Locale;
import java.util.Map;

/** The {@link TrainingTask} a config's {@code task} names. */
public final class TrainingTasks {
  private TrainingTasks() {}

  public static TrainingTask create(TrainConfig config, Map<String, String> env) {
    return switch (config.task().toLowerCase(Locale.ROOT)) {
      case "face" -> new FaceTask(config, env);
      case "speaker" -> new SpeakerTask(config, env);
      default -> throw new UserInputException("task must be face or speaker, got '" + config.task() + "'");
    };
  }
}
