package io.qmargin.spark;

import ai.djl.ndarray.NDManager;
import io.qmargin.UserInputException;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.train.Embedder;
import io.qmargin.train.FaceData;
import io.qmargin.train.TrainConfig;
import io.qmargin.train.TrainedModel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The trained models of one executor JVM, loaded once per model directory and kept for the life of
 * the executor: every task of an embedding job on this executor uses the same engine and weights
 * instead of loading them per task or per record. A model's forward passes are serialised (tasks
 * decode their inputs in parallel; the engine uses its own threads for a batch).
 */
final class ExecutorModels {
  private ExecutorModels() {}

  private static final Map<String, Loaded> MODELS = new ConcurrentHashMap<>();

  /** Longest utterance, in frames, tried when finding the shortest one the model embeds. */
  static final int MAX_PROBED_FRAMES = 4096;

  /**
   * A loaded model with what {@code qmargin embed} derives from it: the image preprocessing of its
   * training data (face models) or the fewest frames it embeds (speaker models).
   */
  record Loaded(TrainedModel model, Embedder embedder, Preprocessing preprocessing, int minFrames) {
    boolean speaker() {
      return model.config().task() == TrainConfig.Task.SPEAKER;
    }
  }

  /** The model in {@code modelDir}, loaded on first use in this JVM. */
  static Loaded get(String modelDir, int batch) {
    return MODELS.computeIfAbsent(modelDir + "#" + batch, k -> load(Path.of(modelDir), batch));
  }

  private static Loaded load(Path dir, int batch) {
    NDManager manager = NDManager.newBaseManager(); // lives as long as the executor
    TrainedModel m = TrainedModel.load(dir, manager);
    if (m.config().task() == TrainConfig.Task.SPEAKER) {
      Embedder e = new Embedder(m.backbone(), manager, m.sampleShape(), 1);
      long featureDim = m.sampleShape()[m.sampleShape().length - 1];
      return new Loaded(m, e, null, e.minimumFrames(featureDim, MAX_PROBED_FRAMES));
    }
    if (m.sampleShape().length != 3) {
      throw new UserInputException(dir + ": neither a face nor a speaker model");
    }
    // validation's preprocessing of the model's training data, as qmargin embed uses it
    Preprocessing pre =
        FaceData.preprocessing(m.config().data(), m.config().seed()).deterministic();
    return new Loaded(m, new Embedder(m.backbone(), manager, m.sampleShape(), batch), pre, 0);
  }
}
