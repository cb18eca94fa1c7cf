package io.qmargin.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.UserInputException;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import io.qmargin.model.djl.DjlModels;
import io.qmargin.model.imports.SourceLayouts;
import io.qmargin.model.imports.SourceModel;
import io.qmargin.model.imports.StateDict;
import io.qmargin.model.imports.StateDictLoader;
import io.qmargin.model.imports.TorchStateDicts;
import io.qmargin.model.onnx.OnnxStateDicts;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one entry point for models, qmargin's and other projects': {@link #load} takes a run
 * directory, a model directory ({@code model.json} + {@code backbone.params}, written by a run or
 * by {@link #save}) or a foreign weight file, and gives a {@link TrainedModel} that {@code embed},
 * {@code eval} and {@code train} ({@code model.init}) use alike.
 *
 * <p>Foreign files: PyTorch state dicts ({@code .pth}, {@code .pt}, or any other name) of
 * insightface's arcface_torch backbones and wespeaker's ResNet and ECAPA-TDNN, read without
 * executing anything ({@link TorchStateDicts}) and mapped by name ({@link StateDictLoader}). The
 * model they become carries the source's preprocessing in its config: faces (x - 127.5) / 127.5 on
 * 112 x 112 RGB (qmargin's own), speakers 80-bin fbank with wespeaker's Hamming window ({@code
 * speech.window_type: hamming}) and mean normalisation.
 *
 * <p>A model directory also holds the model in DJL's format ({@value #DJL_FOLDER}/, {@link
 * DjlModels}), for Java programs that load it with DJL's {@code Criteria}.
 */
public final class Models {
  private Models() {}

  /** A foreign model read into a qmargin backbone, with what it came from. */
  public record Imported(
      TrainedModel model, SourceModel source, List<String> ignored, JsonNode configTree) {}

  /**
   * The model at {@code path}.
   *
   * @param arch the architecture of a foreign file whose names do not tell it ({@code r50}, {@code
   *     resnet34}, ...); null to tell it from the file; must be null for a directory
   */
  public static TrainedModel load(Path path, String arch, NDManager manager) {
    if (Files.isDirectory(path)) {
      if (arch != null) {
        throw new UserInputException(
            path + " is a qmargin model directory; --arch is for foreign weight files only");
      }
      return TrainedModel.load(path, manager);
    }
    return importWeights(path, arch, manager).model();
  }

  /** Reads a foreign weight file into a qmargin backbone (in memory; see {@link #save}). */
  public static Imported importWeights(Path file, String arch, NDManager manager) {
    StateDict sd = readForeign(file, arch);
    SourceModel source = SourceLayouts.detect(sd, arch);
    ObjectNode tree = configTree(source);
    TrainConfig config = ConfigLoader.bind(tree, "qmargin import");
    long[] shape = sampleShape(config);
    Block backbone = TrainingTasks.backbone(config);
    backbone.initialize(manager, DataType.FLOAT32, TrainingRun.shape(2, shape));
    List<String> ignored = StateDictLoader.load(backbone, source, sd);
    return new Imported(new TrainedModel(file, config, backbone, shape), source, ignored, tree);
  }

  /**
   * The tensors of a foreign weight file, by its type: the one place that decides how a file is
   * read ({@code arch} as {@link #load} takes it, for readers that need it).
   */
  static StateDict readForeign(Path file, String arch) {
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(file + ": no such file or model directory");
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".onnx")) {
      return OnnxStateDicts.read(file, arch);
    }
    return TorchStateDicts.read(file);
  }

  /**
   * The resolved config of an imported model (what a run's model.json holds): its backbone and
   * sizes, its source's preprocessing.
   */
  static ObjectNode configTree(SourceModel source) {
    List<String> settings = new ArrayList<>();
    settings.add("model.backbone=" + source.backbone());
    settings.add("model.embedding_dim=" + source.embeddingDim());
    if (source.speaker()) {
      settings.add("task=speaker");
      settings.add("data.type=found");
      settings.add("speech.sample_rate=16000");
      settings.add("speech.num_mel_bins=" + source.featureDim());
      settings.add("speech.window_type=hamming");
    } else {
      settings.add("task=face");
    }
    return ConfigLoader.resolve((String) null, "qmargin import", settings);
  }

  private static long[] sampleShape(TrainConfig config) {
    return config.task() == TrainConfig.Task.SPEAKER
        ? new long[] {config.speech().cropFrames(), config.speech().numMelBins()}
        : new long[] {3, config.data().imageSize(), config.data().imageSize()};
  }

  /**
   * Writes an imported model as a model directory ({@code model.json} with a {@code source}
   * section, {@code backbone.params}) that {@link #load} and {@code embed}, {@code eval}, {@code
   * train} take. All files appear together or none; a directory that already holds a model is
   * refused.
   */
  public static void save(Imported imported, Path outDir) throws IOException {
    if (Files.exists(outDir.resolve("model.json"))) {
      throw new UserInputException(
          outDir + " already holds a model (model.json); choose another --out");
    }
    TrainedModel m = imported.model();
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("project", imported.source().project());
    source.put("file", m.dir().toAbsolutePath().toString());
    source.put("backbone", imported.source().backbone());
    source.put("preprocessing", imported.source().preprocessing());
    source.put("ignored_tensors", imported.ignored());
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("task", m.config().task());
    info.put("backbone", m.config().model().backbone());
    info.put("embedding_dim", m.config().model().embeddingDim());
    info.put("sample_shape", m.sampleShape());
    info.put("source", source);
    info.put("config", imported.configTree());
    try (AtomicFiles.OutputSet set = AtomicFiles.outputSet()) {
      Path staging = set.directory(outDir);
      AtomicFiles.write(
          staging.resolve("backbone.params"),
          out -> m.backbone().saveParameters(new DataOutputStream(out)));
      AtomicFiles.writeString(staging.resolve("model.json"), Json.pretty(info));
      DjlModels.save(m.backbone(), djlArguments(m.config()), staging.resolve(DJL_FOLDER));
      set.commit();
    }
  }

  /** The folder of a model directory that holds the model in DJL's format ({@link DjlModels}). */
  public static final String DJL_FOLDER = "djl";

  /**
   * The arguments of a model in DJL's format: its backbone and the preprocessing {@code embed}
   * applies (see {@link DjlModels}).
   */
  static Map<String, String> djlArguments(TrainConfig config) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("task", config.task().toString());
    a.put("backbone", config.model().backbone());
    a.put("embeddingDim", Integer.toString(config.model().embeddingDim()));
    if (config.task() == TrainConfig.Task.SPEAKER) {
      var fbank = SpeechData.options(config, false).fbank();
      a.put("featureDim", Integer.toString(fbank.numMelBins()));
      a.put("sampleRate", Integer.toString(config.speech().sampleRate()));
      a.put("windowType", fbank.windowType().kaldiName());
    } else {
      a.put("imageSide", Integer.toString(config.data().imageSize()));
      // inactive at inference, but whether the block has a dropout layer depends on it
      a.put("dropout", Double.toString(config.model().dropout()));
      a.put(
          "crop",
          Integer.toString(FaceData.preprocessing(config.data(), config.seed()).cropSize()));
    }
    return a;
  }

  /**
   * Copies the weights of the model at {@code init} (see {@link #load}) into {@code backbone}, an
   * initialised backbone of {@code config}: fine-tuning starts from them. The init model must have
   * the same architecture (backbone, embedding size, input shape); otherwise the message says
   * which.
   */
  static void initialise(
      Block backbone, TrainConfig config, long[] sampleShape, NDManager manager) {
    Path init = Path.of(config.model().init());
    try (NDManager scope = manager.newSubManager()) {
      TrainedModel source = load(init, null, scope);
      String want = describe(config, sampleShape);
      String have = describe(source.config(), source.sampleShape());
      if (!want.equals(have)) {
        throw new UserInputException(
            "model.init "
                + init
                + " holds "
                + have
                + " but the config trains "
                + want
                + "; set model.backbone, model.embedding_dim (speakers: speech.num_mel_bins, speech.window_type) to match");
      }
      PairList<String, Parameter> to = backbone.getParameters();
      PairList<String, Parameter> from = source.backbone().getParameters();
      for (int i = 0; i < to.size(); i++) {
        to.get(i).getValue().getArray().set(from.get(i).getValue().getArray().toFloatArray());
      }
    }
  }

  private static String describe(TrainConfig config, long[] sampleShape) {
    long[] input =
        config.task() == TrainConfig.Task.SPEAKER
            ? new long[] {sampleShape[sampleShape.length - 1]} // any number of frames
            : sampleShape;
    return config.task()
        + " "
        + config.model().backbone()
        + " (d = "
        + config.model().embeddingDim()
        + ", input "
        + Arrays.toString(input)
        + (config.task() == TrainConfig.Task.SPEAKER
            ? ", fbank window " + config.speech().windowType()
            : "")
        + ")";
  }
}
