package io.qmargin.model.djl;

import ai.djl.Model;
import ai.djl.nn.Block;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A backbone in DJL's model format: a folder holding {@code <folder>-0000.params} ({@link
 * Model#save}; named after the folder, which is the model name DJL's {@code Criteria} looks for)
 * and {@code serving.properties}, which names the engine, the {@link QmarginBlockFactory} that
 * rebuilds the block and the arguments it and the translators read:
 *
 * <ul>
 *   <li>{@code task} {@code face} or {@code speaker}; {@code backbone} (a qmargin backbone name);
 *       {@code embeddingDim};
 *   <li>faces: {@code imageSide} (112), {@code crop} (centre crop before resizing, 0 for none),
 *       {@code dropout} (the trained rate; inactive at inference);
 *   <li>speakers: {@code featureDim} (mel bins), {@code sampleRate}, {@code windowType} (the fbank
 *       window: {@code povey}, or {@code hamming} for wespeaker models).
 * </ul>
 *
 * A Java program loads it with {@code Criteria} (see docs/models.md, "Load with DJL"), with
 * qmargin's jar on its class path for the block and translator classes.
 */
public final class DjlModels {
  private DjlModels() {}

  /** Writes {@code backbone} (initialised) and its arguments into {@code dir}. */
  public static void save(Block backbone, Map<String, String> arguments, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    String name = dir.getFileName().toString();
    try (Model model = Model.newInstance(name, "PyTorch")) {
      model.setBlock(backbone);
      model.setProperty("Epoch", "0"); // <name>-0000.params whatever the folder holds
      model.save(dir, name);
    }
    Map<String, String> p = new TreeMap<>(arguments);
    p.put("engine", "PyTorch");
    p.put("blockFactory", QmarginBlockFactory.class.getName());
    p.put("translatorFactory", EmbeddingTranslatorFactory.class.getName());
    StringBuilder text = new StringBuilder("# qmargin model in DJL's format (docs/models.md)\n");
    p.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    try (OutputStream out = Files.newOutputStream(dir.resolve("serving.properties"))) {
      out.write(text.toString().getBytes(StandardCharsets.ISO_8859_1));
    }
  }
}
