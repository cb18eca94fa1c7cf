package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import io.qmargin.audio.AudioReader;
import io.qmargin.audio.CepstralMeanNormalization;
import io.qmargin.audio.Fbank;
import io.qmargin.audio.FbankOptions;
import io.qmargin.audio.FeatureMatrix;
import io.qmargin.audio.WindowType;
import io.qmargin.data.speech.TestWavs;
import io.qmargin.io.Npy;
import io.qmargin.model.djl.EmbeddingTranslatorFactory;
import io.qmargin.train.Models;
import io.qmargin.train.TrainedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code qmargin import} and {@code embed --model FILE}: hostile and broken files exit non-zero
 * naming the file and the problem, with nothing written; an imported wespeaker model embeds with
 * wespeaker's features (Hamming window), from the file itself, from the imported directory, and
 * from its DJL-format folder loaded with plain {@code Criteria}.
 */
class ImportCommandTest {
  @TempDir Path dir;

  private static Path resource(String name) throws Exception {
    return Path.of(
        ImportCommandTest.class.getResource("/io/qmargin/model/imports/" + name).toURI());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "malicious.pth, the pickle names builtins.eval, which a state dict does not need; refusing",
    "truncated.pth, not a complete PyTorch zip archive"
  })
  void aBadFileExitsNonZeroNamingItAndWritesNothing(String name, String problem) throws Exception {
    Path file = resource(name);
    Path out = dir.resolve("model");
    CliCapture cli = new CliCapture();
    int code = cli.run("import", file.toString(), "--out", out.toString());
    assertThat(code).isNotZero();
    assertThat(cli.err.toString()).contains(file + ": " + problem).doesNotContain("Exception");
    assertThat(out).doesNotExist();
  }

  @Test
  void aTruncatedOnnxFileIsRefusedByNameAndNothingIsWritten() throws Exception {
    Path onnx = Files.write(dir.resolve("w600k_r50.onnx"), new byte[] {8, 7});
    CliCapture cli = new CliCapture();
    int code = cli.run("import", onnx.toString(), "--out", dir.resolve("m").toString());
    assertThat(code).isNotZero();
    assertThat(cli.err.toString()).contains(onnx + ": not").doesNotContain("Exception");
    assertThat(dir.resolve("m")).doesNotExist();
  }

  @Test
  void anUnknownArchitectureIsNamed() throws Exception {
    CliCapture cli = new CliCapture();
    int code =
        cli.run(
            "import", resource("tiny.pth").toString(), "--arch", "r51", "--out", dir.toString());
    assertThat(code).isNotZero();
    assertThat(cli.err.toString()).contains("unknown --arch 'r51'");
  }

  /** Needs the generated fixtures (tools/fixtures/state_dicts.py). */
  @Test
  void anImportedWespeakerModelEmbedsWithWespeakersFeatures() throws Exception {
    Path pth = Path.of("target", "fixtures", "resnet34", "state_dict.pth");
    Assumptions.assumeTrue(
        Files.isRegularFile(pth),
        pth + " not generated; run: /usr/bin/python3 tools/fixtures/state_dicts.py");
    Path model = dir.resolve("imported");
    CliCapture imp = new CliCapture();
    assertThat(imp.run("import", pth.toString(), "--out", model.toString()))
        .as(imp.err.toString())
        .isZero();
    assertThat(imp.out.toString())
        .contains("wespeaker resnet34 (d = 256, 80 mel bins)")
        .contains("Hamming window")
        .contains("not used (the classification head): projection.weight");

    Path audio = dir.resolve("audio");
    float[] x = new float[16000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / 16000.0) * Math.sin(i / 900.0));
    }
    Path wav = TestWavs.write(audio.resolve("a.wav"), x, 16000);
    float[] fromDir = embed(model);
    float[] fromFile = embed(pth);
    assertThat(fromFile).containsExactly(fromDir);

    try (NDManager manager = NDManager.newBaseManager()) {
      TrainedModel m = Models.load(pth, null, manager);
      float[] hamming = forward(m, manager, wav, WindowType.HAMMING);
      float[] povey = forward(m, manager, wav, WindowType.POVEY);
      assertThat(maxAbsDiff(fromDir, hamming)).isLessThan(1e-5f);
      assertThat(maxAbsDiff(fromDir, povey)).as("the window matters").isGreaterThan(1e-3f);
    }
    // and in DJL's format, loaded with plain Criteria and the audio translator
    Criteria<Path, float[]> criteria =
        Criteria.builder()
            .setTypes(Path.class, float[].class)
            .optModelPath(model.resolve("djl"))
            .optTranslatorFactory(new EmbeddingTranslatorFactory())
            .build();
    try (ZooModel<Path, float[]> djl = criteria.loadModel();
        Predictor<Path, float[]> predictor = djl.newPredictor()) {
      assertThat(maxAbsDiff(fromDir, predictor.predict(wav))).isLessThan(1e-5f);
    }
  }

  private float[] embed(Path model) {
    Path e = dir.resolve("e.npy");
    CliCapture cli = new CliCapture();
    int code =
        cli.run(
            "embed",
            "--model",
            model.toString(),
            "--audio",
            dir.resolve("audio").toString(),
            "--out",
            e.toString(),
            "--keys",
            dir.resolve("k.txt").toString());
    assertThat(code).as(cli.err.toString()).isZero();
    return Npy.read(e).toFloats();
  }

  /** Kaldi fbank (80 bins, 16 kHz, the given window), CMN, the backbone, L2 normalisation. */
  private static float[] forward(TrainedModel m, NDManager manager, Path wav, WindowType window) {
    FbankOptions o = FbankOptions.defaults().toBuilder().windowType(window).build();
    FeatureMatrix f =
        CepstralMeanNormalization.perUtterance(
            new Fbank(o).compute(AudioReader.readMono(wav, 16000)), false);
    NDArray in = manager.create(f.values(), new Shape(1, f.numFrames(), f.dim()));
    NDArray y =
        m.backbone()
            .forward(new ParameterStore(manager, false), new NDList(in), false)
            .singletonOrThrow();
    return y.div(y.norm()).toFloatArray();
  }

  private static float maxAbsDiff(float[] a, float[] b) {
    assertThat(a.length).isEqualTo(b.length);
    float m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
