package io.qmargin.spark;

import ai.djl.ndarray.NDManager;
import io.qmargin.UserInputException;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.train.Embedder;
import io.qmargin.train.FaceData;
import io.qmargin.train.TrainConfig;
import io.qmargin.train.TrainedModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.spark.sql.SparkSession;

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

  /**
   * Zips the model folder into a temporary file (deleted when this JVM exits) and adds it to the
   * job's files; returns its name for {@code SparkFiles.get}.
   */
  static String ship(Path modelDir, SparkSession spark) {
    try {
      Path zip = Files.createTempFile("qmargin-model-", ".zip");
      zip.toFile().deleteOnExit();
      try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip));
          Stream<Path> files = Files.walk(modelDir)) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
          out.putNextEntry(new ZipEntry(modelDir.relativize(f).toString().replace('\\', '/')));
          Files.copy(f, out);
          out.closeEntry();
        }
      }
      spark.sparkContext().addFile(zip.toString());
      return zip.getFileName().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(modelDir + ": " + e.getMessage(), e);
    }
  }

  /** The model of a shipped zip, unpacked and loaded on first use in this JVM. */
  static Loaded get(String zip, int batch) {
    return MODELS.computeIfAbsent(zip + "#" + batch, k -> load(unzip(Path.of(zip)), batch));
  }

  private static Path unzip(Path zip) {
    try {
      Path dir = Files.createTempDirectory("qmargin-model-");
      dir.toFile().deleteOnExit(); // registered first: deleted after its files
      try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
        for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
          Path to = dir.resolve(e.getName()).normalize();
          if (!to.startsWith(dir)) {
            throw new IOException("entry outside the model folder: " + e.getName());
          }
          Files.createDirectories(to.getParent());
          Files.copy(in, to);
          to.toFile().deleteOnExit();
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(zip + ": " + e.getMessage(), e);
    }
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
