package io.qmargin.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.LayerNorm;
import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.audio.AudioReader;
import io.qmargin.audio.CepstralMeanNormalization;
import io.qmargin.audio.Fbank;
import io.qmargin.audio.FbankOptions;
import io.qmargin.audio.FeatureMatrix;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.data.face.SyntheticFaces;
import io.qmargin.model.Backbones;
import io.qmargin.model.speaker.SpeakerBackbones;
import io.qmargin.train.Embedder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exported backbones run in ONNX Runtime give qmargin's own embeddings (≤ 1e-4 after L2
 * normalisation) on rendered faces and on the fbank of a recording, at batch sizes 1 and 3 and, for
 * speakers, two lengths. Weights and BatchNorm statistics are randomised first, so that every
 * parameter matters.
 */
class OnnxExportTest {
  private static final double TOLERANCE = 1e-4;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"small", "mobilefacenet", "iresnet18"})
  void faceBackbonesGiveQmarginsEmbeddingsInOnnxRuntime(String name) throws Exception {
    checkFaceBackbone(name, 32);
  }

  /** Full size, d = 512 (175 and 260 MB of weights): opt-in, tag {@code integration}. */
  @ParameterizedTest
  @ValueSource(strings = {"iresnet50", "iresnet100"})
  @Tag("integration")
  void fullSizeIresnetsGiveQmarginsEmbeddingsInOnnxRuntime(String name) throws Exception {
    checkFaceBackbone(name, 512);
  }

  private void checkFaceBackbone(String name, int embeddingDim) throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block backbone = Backbones.create(name, embeddingDim, 0.1f);
      backbone.initialize(manager, DataType.FLOAT32, Backbones.inputShape(1));
      randomize(backbone, 7);
      long[] sample = {3, Backbones.IMAGE_SIDE, Backbones.IMAGE_SIDE};
      Path file = dir.resolve(name + ".onnx");
      OnnxFiles.write(OnnxExport.toOnnx(backbone, false, sample, Map.of()), file);

      SyntheticFaces faces = new SyntheticFaces(3, 1, Preprocessing.insightface().deterministic());
      for (int batch : new int[] {1, 3}) {
        float[][] images = new float[batch][];
        for (int i = 0; i < batch; i++) {
          images[i] = faces.render(i, 0, false);
        }
        float[] qmargin =
            new Embedder(backbone, manager, sample, batch)
                .embed(batch, i -> images[i], false, Progress.NONE);
        float[][] ort =
            OrtRunner.run(
                file, OnnxExport.FACE_INPUT, concat(images), new long[] {batch, 3, 112, 112});
        assertThat(ort).hasNumberOfRows(batch);
        assertThat(OrtRunner.maxAbsDifference(OrtRunner.normalizedRows(ort), qmargin))
            .as("%s, batch %d", name, batch)
            .isLessThanOrEqualTo(TOLERANCE);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"small", "resnet34", "ecapa512"})
  void speakerBackbonesGiveQmarginsEmbeddingsInOnnxRuntimeAtAnyLength(String name)
      throws Exception {
    // 40 bins for the small network: its first conv is channel-padded (40 is not a multiple of 16)
    int bins = name.equals("small") ? 40 : 80;
    float[] fbank = fbank(bins);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block backbone = SpeakerBackbones.create(name, 32, bins);
      backbone.initialize(manager, DataType.FLOAT32, SpeakerBackbones.inputShape(1, 64, bins));
      randomize(backbone, 11);
      Path file = dir.resolve(name + ".onnx");
      OnnxFiles.write(OnnxExport.toOnnx(backbone, true, new long[] {64, bins}, Map.of()), file);
      for (int frames : new int[] {40, 61}) {
        for (int batch : new int[] {1, 3}) {
          float[][] crops = new float[batch][];
          for (int i = 0; i < batch; i++) { // different crops of the recording
            crops[i] = Arrays.copyOfRange(fbank, 7 * i * bins, (7 * i + frames) * bins);
          }
          long[] sample = {frames, bins};
          float[] qmargin =
              new Embedder(backbone, manager, sample, batch)
                  .embed(batch, i -> crops[i], false, Progress.NONE);
          float[][] ort =
              OrtRunner.run(
                  file, OnnxExport.SPEAKER_INPUT, concat(crops), new long[] {batch, frames, bins});
          assertThat(OrtRunner.maxAbsDifference(OrtRunner.normalizedRows(ort), qmargin))
              .as("%s, %d frames, batch %d", name, frames, batch)
              .isLessThanOrEqualTo(TOLERANCE);
        }
      }
    }
  }

  @Test
  void graphDeclaresDynamicBatchAndFramesAndOpset11() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block backbone = SpeakerBackbones.create("small", 8, 40);
      backbone.initialize(manager, DataType.FLOAT32, SpeakerBackbones.inputShape(1, 64, 40));
      OnnxModel m =
          OnnxExport.toOnnx(backbone, true, new long[] {64, 40}, Map.of("embedding_size", "8"));
      assertThat(m.defaultOpset()).isEqualTo(11);
      assertThat(m.graph().inputs().get(0).dims())
          .extracting(Object::toString)
          .containsExactly("batch", "frames", "40");
      assertThat(m.graph().outputs().get(0).dims())
          .extracting(Object::toString)
          .containsExactly("batch", "8");
      assertThat(m.metadata()).containsEntry("embedding_size", "8");
    }
  }

  @Test
  void aBlockWithoutTranslationIsRefusedByName() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block net = new SequentialBlock().add(LayerNorm.builder().build());
      net.initialize(manager, DataType.FLOAT32, new Shape(1, 4));
      assertThatThrownBy(() -> OnnxExport.toOnnx(net, true, new long[] {4}, Map.of()))
          .isInstanceOf(UserInputException.class)
          .hasMessageContaining("cannot export block backbone/01LayerNorm")
          .hasMessageContaining("no ONNX translation");
    }
  }

  /** Kaldi fbank of the test recording, mean-normalised per utterance, as qmargin's speech data. */
  static float[] fbank(int bins) {
    Path wav = Path.of("src/test/resources/io/qmargin/audio/speechlike-16k.wav");
    FbankOptions options = FbankOptions.defaults().toBuilder().numMelBins(bins).build();
    FeatureMatrix f = new Fbank(options).compute(AudioReader.readMono(wav, 16000));
    return CepstralMeanNormalization.perUtterance(f, false).values();
  }

  /**
   * Draws weights that keep activations of order 1 through depth, as in a trained network: conv and
   * linear weights N(0, 1/fan-in) (insightface's N(0, 0.1²) lets an untrained IResNet-50's
   * activations overflow float32, and then no two engines agree). Gives BatchNorm non-trivial
   * statistics and scales and PReLU non-default slopes, so that a parameter exported wrongly
   * changes the output: means and shifts N(0, 0.1²), variances, scales and slopes uniform.
   */
  static void randomize(Block block, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (var pair : block.getParameters()) {
      Parameter p = pair.getValue();
      NDArray a = p.getArray();
      float[] v = a.toFloatArray();
      Shape shape = a.getShape();
      String name = pair.getKey();
      for (int i = 0; i < v.length; i++) {
        if (p.getType() == Parameter.Type.WEIGHT && shape.dimension() >= 2) {
          v[i] = (float) (random.nextGaussian() / Math.sqrt(shape.size() / shape.get(0)));
        } else if (p.getType() == Parameter.Type.RUNNING_VAR) {
          v[i] = (float) random.nextDouble(0.5, 1.5);
        } else if (p.getType() == Parameter.Type.GAMMA || name.endsWith("alpha")) {
          v[i] = (float) random.nextDouble(0.5, 1.0);
        } else if (p.getType() == Parameter.Type.RUNNING_MEAN
            || p.getType() == Parameter.Type.BETA) {
          v[i] = (float) (0.1 * random.nextGaussian());
        }
      }
      a.set(v);
    }
  }

  static float[] concat(float[][] rows) {
    int n = 0;
    for (float[] r : rows) {
      n += r.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] r : rows) {
      System.arraycopy(r, 0, out, at, r.length);
      at += r.length;
    }
    return out;
  }
}
