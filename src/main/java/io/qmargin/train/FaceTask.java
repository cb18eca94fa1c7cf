package io.qmargin.train;

import ai.djl.nn.Block;
import io.qmargin.data.SampleSet;
import io.qmargin.model.Backbones;
import java.util.List;
import java.util.Map;

/**
 * Face verification: {@link FaceData} sets and the {@link Backbones} (112 × 112 inputs; other sizes
 * for the small one).
 */
public final class FaceTask implements TrainingTask {
  private final TrainConfig config;
  private final Map<String, String> env;
  private SampleSet train;

  public FaceTask(TrainConfig config, Map<String, String> env) {
    this.config = config;
    this.env = env;
  }

  @Override
  public synchronized SampleSet trainingSet() {
    if (train == null) {
      train = FaceData.trainingSet(config.data(), config.seed(), env);
    }
    return train;
  }

  @Override
  public List<Validator> validators() {
    return FaceData.validators(config, env);
  }

  @Override
  public Block backbone() {
    return TrainingTasks.backbone(config);
  }
}
