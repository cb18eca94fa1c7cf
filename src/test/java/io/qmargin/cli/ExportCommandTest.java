package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.qmargin.data.face.ImageDecoder;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.data.face.SyntheticFaces;
import io.qmargin.data.speech.KaldiDataDir;
import io.qmargin.data.speech.SpeechCorpus;
import io.qmargin.data.speech.SpeechSampleSet;
import io.qmargin.data.speech.Utterance;
import io.qmargin.io.Npy;
import io.qmargin.model.onnx.OnnxExport;
import io.qmargin.model.onnx.OnnxFiles;
import io.qmargin.model.onnx.OnnxModel;
import io.qmargin.model.onnx.OrtRunner;
import io.qmargin.train.FaceData;
import io.qmargin.train.SpeakerTrainingTest;
import io.qmargin.train.SpeechData;
import io.qmargin.train.TrainConfig;
import io.qmargin.train.TrainedModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qmargin export}: the exported file, run in ONNX Runtime on the inputs {@code qmargin
 * embed} makes from images and recordings, gives {@code embed}'s embeddings; bad runs and outputs
 * are refused by name, writing nothing.
 */
class ExportCommandTest {
  @TempDir Path dir;

  private static int train(Path run, String... settings) {
    List<String> args = new ArrayList<>(List.of("train", "--out", run.toString()));
    for (String s : settings) {
      args.add("--set");
      args.add(s);
    }
    CliCapture train = new CliCapture();
    int code = train.run(args.toArray(String[]::new));
    assertThat(code).as(train.err.toString()).isZero();
    return code;
  }

  private static String[] export(Path run, Path out) {
    CliCapture c = new CliCapture();
    int code = c.run("export", "--model", run.toString(), "--out", out.toString());
    return new String[] {Integer.toString(code), c.out.toString(), c.err.toString()};
  }

  private static float[] embed(Path run, String inputOption, Path input, Path dir) {
    Path e = dir.resolve("e.npy");
    CliCapture c = new CliCapture();
    int code =
        c.run(
            "embed",
            "--model",
            run.toString(),
            inputOption,
            input.toString(),
            "--out",
            e.toString(),
            "--keys",
            dir.resolve("k.txt").toString());
    assertThat(code).as(c.err.toString()).isZero();
    return Npy.read(e).toFloats();
  }

  @Test
  void anExportedFaceModelGivesEmbedsEmbeddingsOfImagesInOnnxRuntime() throws Exception {
    Path run = dir.resolve("run");
    train(
        run,
        "data.identities=8",
        "data.samples_per_identity=2",
        "data.image_size=32",
        "data.crop=24",
        "model.embedding_dim=16",
        "batch_size=8",
        "schedule.epochs=1",
        "validation.type=none");
    Path images = Files.createDirectories(dir.resolve("images"));
    SyntheticFaces faces = new SyntheticFaces(3, 1, Preprocessing.insightface().deterministic());
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      files.add(images.resolve("face" + i + ".png"));
      ImageIO.write(image(faces.render(i, 0, false)), "png", files.get(i).toFile());
    }
    Path onnx = dir.resolve("model.onnx");

    String[] result = export(run, onnx);

    assertThat(result[0]).as(result[2]).isEqualTo("0");
    assertThat(result[1]).contains("small (face, d = 16) -> " + onnx).contains("opset 11");
    OnnxModel m = OnnxFiles.read(onnx);
    assertThat(m.metadata())
        .containsEntry("embedding_size", "16")
        .containsEntry("backbone", "small")
        .containsEntry(
            "preprocessing",
            "centre crop 24 px, resize to 32x32 (antialiased bilinear), RGB, (x - 127.5) / 127.5")
        .containsKey("model_fingerprint");
    float[] embedded = embed(run, "--images", images, dir);
    float[][] inputs = new float[3][];
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainConfig config = TrainedModel.load(run, manager).config();
      Preprocessing pre = FaceData.preprocessing(config.data(), config.seed()).deterministic();
      for (int i = 0; i < 3; i++) {
        inputs[i] = pre.apply(ImageDecoder.decode(files.get(i)), false);
      }
    }
    float[][] ort =
        OrtRunner.run(onnx, OnnxExport.FACE_INPUT, concat(inputs), new long[] {3, 3, 32, 32});
    assertThat(OrtRunner.maxAbsDifference(OrtRunner.normalizedRows(ort), embedded))
        .isLessThanOrEqualTo(1e-4);
  }

  @Test
  void anExportedSpeakerModelGivesEmbedsEmbeddingsOfRecordingsOfAnyLength() throws Exception {
    Path data = SpeakerTrainingTest.dataDir(dir.resolve("data"), 2, 3);
    Path run = dir.resolve("run");
    train(
        run,
        "task=speaker",
        "data.type=kaldi",
        "data.path=" + data,
        "speech.sample_rate=8000",
        "speech.num_mel_bins=40",
        "speech.crop_frames=40",
        "model.embedding_dim=16",
        "batch_size=4",
        "schedule.epochs=1",
        "loss=arcface:s=16,m=0.2",
        "validation.type=none");
    Path onnx = dir.resolve("speaker.onnx");

    String[] result = export(run, onnx);

    assertThat(result[0]).as(result[2]).isEqualTo("0");
    assertThat(OnnxFiles.read(onnx).metadata().get("preprocessing"))
        .startsWith("40-bin Kaldi fbank (8000 Hz, 25 ms window, 10 ms shift")
        .endsWith("per-utterance CMN (mean only, no variance)");
    Path scp = data.resolve("wav.scp");
    float[] embedded = embed(run, "--audio", scp, dir);
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainConfig config = TrainedModel.load(run, manager).config();
      List<Utterance> utts = KaldiDataDir.readWavScp(scp, data);
      SpeechSampleSet set =
          new SpeechSampleSet(SpeechCorpus.of(utts, "test"), SpeechData.options(config, false));
      int d = embedded.length / utts.size();
      for (int i = 0; i < utts.size(); i++) {
        var f = set.features(i);
        float[][] ort =
            OrtRunner.run(
                onnx, OnnxExport.SPEAKER_INPUT, f.values(), new long[] {1, f.numFrames(), 40});
        assertThat(
                OrtRunner.maxAbsDifference(
                    OrtRunner.normalizedRows(ort),
                    Arrays.copyOfRange(embedded, i * d, (i + 1) * d)))
            .as(utts.get(i).id() + ", " + f.numFrames() + " frames")
            .isLessThanOrEqualTo(1e-4);
      }
    }
  }

  @Test
  void aFolderThatHoldsNoModelIsRefusedAndNothingIsWritten() throws Exception {
    Path notARun = Files.createDirectories(dir.resolve("empty"));
    Path onnx = dir.resolve("out.onnx");

    String[] result = export(notARun, onnx);

    assertThat(result[0]).isNotEqualTo("0");
    assertThat(result[2]).contains(notARun + ": no trained model").doesNotContain("Exception");
    assertThat(onnx).doesNotExist();
  }

  @Test
  void anOutputThatIsAFolderIsRefused() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("out"));

    String[] result = export(dir.resolve("run"), folder);

    assertThat(result[0]).isNotEqualTo("0");
    assertThat(result[2]).contains("--out " + folder + " is a folder");
  }

  /** CHW floats in [−1, 1] back to an 8-bit RGB image. */
  private static BufferedImage image(float[] chw) {
    int side = (int) Math.round(Math.sqrt(chw.length / 3.0));
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    int plane = side * side;
    for (int p = 0; p < plane; p++) {
      int r = Math.round((chw[p] + 1) * 127.5f);
      int g = Math.round((chw[plane + p] + 1) * 127.5f);
      int b = Math.round((chw[2 * plane + p] + 1) * 127.5f);
      img.setRGB(p % side, p / side, (r << 16) | (g << 8) | b);
    }
    return img;
  }

  private static float[] concat(float[][] rows) {
    float[] out = new float[Arrays.stream(rows).mapToInt(r -> r.length).sum()];
    int at = 0;
    for (float[] r : rows) {
      System.arraycopy(r, 0, out, at, r.length);
      at += r.length;
    }
    return out;
  }
}
