package io.qmargin.model.djl;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import io.qmargin.model.Backbones;
import io.qmargin.model.speaker.SpeakerBackbones;
import java.nio.file.Path;
import java.util.Map;

/**
 * DJL's {@code blockFactory} for qmargin models: the backbone a model folder's {@code
 * serving.properties} names ({@code task}, {@code backbone}, {@code embeddingDim}, and {@code
 * imageSide} and {@code dropout}, or {@code featureDim}; see {@link DjlModels}), uninitialised, for
 * DJL to load its parameters into. Dropout is inactive at inference; its rate is there because
 * whether a backbone has a dropout layer (MobileFaceNet's) depends on it.
 */
public final class QmarginBlockFactory implements BlockFactory {
  private static final long serialVersionUID = 1L;

  @Override
  public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
    String backbone = argument(arguments, "backbone");
    int d = Integer.parseInt(argument(arguments, "embeddingDim"));
    return isSpeaker(arguments)
        ? SpeakerBackbones.create(backbone, d, Integer.parseInt(argument(arguments, "featureDim")))
        : Backbones.create(
            backbone,
            d,
            Float.parseFloat(argument(arguments, "dropout")),
            Integer.parseInt(argument(arguments, "imageSide")));
  }

  static boolean isSpeaker(Map<String, ?> arguments) {
    return argument(arguments, "task").equals("speaker");
  }

  static String argument(Map<String, ?> arguments, String key) {
    Object v = arguments.get(key);
    if (v == null) {
      throw new IllegalArgumentException(
          "serving.properties of a qmargin model lacks '" + key + "'");
    }
    return v.toString().trim();
  }
}
