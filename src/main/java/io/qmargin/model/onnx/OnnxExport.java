package io.qmargin.model.onnx;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.qmargin.audio.FbankOptions;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.model.onnx.OnnxModel.Dim;
import io.qmargin.model.onnx.OnnxModel.Graph;
import io.qmargin.model.onnx.OnnxModel.ValueInfo;
import io.qmargin.train.FaceData;
import io.qmargin.train.SpeechData;
import io.qmargin.train.TrainConfig;
import io.qmargin.train.TrainedModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Exports a trained qmargin backbone as an ONNX model (opset {@value #OPSET}) of standard
 * operators, for ONNX Runtime or any other ONNX consumer. Conventions:
 *
 * <ul>
 *   <li>Face models: input {@code data}, float32 (batch, 3, H, W), RGB scaled as (x − 127.5) /
 *       127.5, after the model's own crop and resize; speaker models: input {@code feats}, float32
 *       (batch, frames, mel bins), Kaldi fbank after per-utterance mean normalisation. {@code
 *       batch} and {@code frames} are dynamic dimensions.
 *   <li>Output {@code embedding}, float32 (batch, d), <em>not</em> normalised (qmargin's {@code
 *       embed} L2-normalises afterwards).
 *   <li>Inference mode: BatchNorm with its running statistics, dropout left out.
 *   <li>{@code metadata_props}: {@code task}, {@code backbone}, {@code embedding_size}, {@code
 *       input_layout}, {@code preprocessing}, {@code qmargin_version}, {@code model_fingerprint}
 *       (SHA-256 of the weights file).
 * </ul>
 */
public final class OnnxExport {
  private OnnxExport() {}

  /** The ONNX operator set the exported graphs use (insightface's torch2onnx uses it too). */
  public static final int OPSET = 11;

  /** The ONNX IR version written: the one of opset 11's release. */
  static final long IR_VERSION = 6;

  /** Name of the face models' input (insightface's name). */
  public static final String FACE_INPUT = "data";

  /** Name of the speaker models' input (wespeaker's name). */
  public static final String SPEAKER_INPUT = "feats";

  /** Name of the output. */
  public static final String OUTPUT = "embedding";

  /** Writes the ONNX model of a trained model to {@code out}, atomically, and returns it. */
  public static OnnxModel export(TrainedModel model, Path out) throws IOException {
    OnnxModel onnx = toOnnx(model);
    OnnxFiles.write(onnx, out);
    return onnx;
  }

  /** The ONNX model of a trained model, with its metadata. */
  public static OnnxModel toOnnx(TrainedModel model) throws IOException {
    TrainConfig config = model.config();
    boolean speaker = config.task() == TrainConfig.Task.SPEAKER;
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("task", config.task().toString());
    metadata.put("backbone", config.model().backbone());
    metadata.put("embedding_size", Integer.toString(config.model().embeddingDim()));
    metadata.put("input_layout", inputLayout(speaker, model.sampleShape()));
    metadata.put("preprocessing", preprocessing(config));
    String version = OnnxExport.class.getPackage().getImplementationVersion();
    metadata.put("qmargin_version", version == null ? "development build" : version);
    metadata.put("model_fingerprint", "sha256:" + sha256(model.dir().resolve("backbone.params")));
    return toOnnx(model.backbone(), speaker, model.sampleShape(), metadata);
  }

  /**
   * The ONNX model of an initialised backbone that takes samples of {@code sampleShape} (C, H, W)
   * for faces or (frames, F) for speakers.
   */
  public static OnnxModel toOnnx(
      Block backbone, boolean speaker, long[] sampleShape, Map<String, String> metadata) {
    GraphBuilder graph = new GraphBuilder();
    String inputName = speaker ? SPEAKER_INPUT : FACE_INPUT;
    long[] example = new long[sampleShape.length + 1];
    example[0] = 2;
    System.arraycopy(sampleShape, 0, example, 1, sampleShape.length);
    BlockTranslator.Value x = new BlockTranslator.Value(inputName, new Shape(example));
    BlockTranslator.Value y = new BlockTranslator(graph).emit(backbone, x, "backbone");
    graph.identity(y.name(), OUTPUT);
    List<Dim> inputDims = new ArrayList<>();
    inputDims.add(Dim.named("batch"));
    for (int i = 0; i < sampleShape.length; i++) {
      inputDims.add(speaker && i == 0 ? Dim.named("frames") : Dim.of(sampleShape[i]));
    }
    ValueInfo in = new ValueInfo(inputName, OnnxFiles.FLOAT, inputDims);
    ValueInfo out =
        new ValueInfo(
            OUTPUT, OnnxFiles.FLOAT, List.of(Dim.named("batch"), Dim.of(y.shape().get(1))));
    Graph g = new Graph("qmargin", graph.nodes(), graph.initializers(), List.of(in), List.of(out));
    String version = OnnxExport.class.getPackage().getImplementationVersion();
    return new OnnxModel(
        IR_VERSION,
        "qmargin",
        version == null ? "" : version,
        Map.of("", (long) OPSET),
        g,
        Collections.unmodifiableMap(new LinkedHashMap<>(metadata))); // in the given order
  }

  private static String inputLayout(boolean speaker, long[] s) {
    return speaker
        ? "feats: float32 (batch, frames, " + s[1] + "): log-mel frames, time first"
        : "data: float32 (batch, 3, " + s[1] + ", " + s[2] + "): NCHW, RGB planes";
  }

  /** The preprocessing that makes the model's input from an image or a recording, in words. */
  static String preprocessing(TrainConfig config) {
    if (config.task() == TrainConfig.Task.SPEAKER) {
      FbankOptions f = SpeechData.options(config, false).fbank();
      return String.format(
          Locale.ROOT,
          "%d-bin Kaldi fbank (%.0f Hz, %.0f ms window, %.0f ms shift, %s window, dither %s,"
              + " samples on the 16-bit scale), per-utterance CMN (mean only, no variance)",
          f.numMelBins(),
          f.sampleFrequency(),
          f.frameLengthMs(),
          f.frameShiftMs(),
          f.windowType().toString().toLowerCase(Locale.ROOT),
          f.dither() == 0 ? "0" : Double.toString(f.dither()));
    }
    Preprocessing p = FaceData.preprocessing(config.data(), config.seed());
    String crop = p.cropSize() > 0 ? "centre crop " + p.cropSize() + " px, " : "";
    return crop
        + "resize to "
        + p.outputWidth()
        + "x"
        + p.outputHeight()
        + " (antialiased bilinear), RGB, (x - 127.5) / 127.5";
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
