package io.qmargin.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.UserInputException;
import io.qmargin.io.Json;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A trained backbone read back from a run directory's {@code model/} (or that folder itself):
 * {@code model.json} says how to rebuild it (the run's resolved config), {@code backbone.params}
 * holds the weights.
 */
public record TrainedModel(Path dir, TrainConfig config, Block backbone, long[] sampleShape) {

  public static TrainedModel load(Path runOrModelDir, NDManager manager) {
    Path dir = directory(runOrModelDir);
    Path info = dir.resolve("model.json");
    JsonNode json;
    try {
      json = Json.mapper().readTree(info.toFile());
    } catch (IOException e) {
      throw new UserInputException(info + ": not readable JSON (" + e.getMessage() + ")");
    }
    // over the defaults, so that a model written before a key existed takes the key's default
    TrainConfig config =
        ConfigLoader.bind(
            ConfigLoader.resolve(
                ConfigLoader.toYaml(json.get("config")), info.toString(), List.of()),
            info.toString());
    long[] shape = new long[json.get("sample_shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = json.get("sample_shape").get(i).asLong();
    }
    Block backbone = TrainingTasks.backbone(config);
    backbone.initialize(manager, DataType.FLOAT32, TrainingRun.shape(2, shape));
    loadParameters(backbone, manager, dir.resolve("backbone.params"));
    return new TrainedModel(dir, config, backbone, shape);
  }

  /**
   * The model folder of a run directory (its {@code model/}) or of the model folder itself.
   *
   * @throws UserInputException if there is no {@code model.json} in either place
   */
  public static Path directory(Path runOrModelDir) {
    Path dir =
        Files.isRegularFile(runOrModelDir.resolve("model.json"))
            ? runOrModelDir
            : runOrModelDir.resolve("model");
    if (!Files.isRegularFile(dir.resolve("model.json"))) {
      throw new UserInputException(
          runOrModelDir + ": no trained model (expected model/model.json; is the run finished?)");
    }
    return dir;
  }

  /**
   * Loads DJL parameters written by {@code saveParameters} into an initialised block of the same
   * architecture.
   */
  static void loadParameters(Block block, NDManager manager, Path file) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      block.loadParameters(manager, new DataInputStream(in));
    } catch (IOException | MalformedModelException e) {
      throw new UserInputException(
          file + ": cannot load into the configured model (" + e.getMessage() + ")");
    }
  }
}
