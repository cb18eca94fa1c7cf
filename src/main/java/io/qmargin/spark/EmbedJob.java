package io.qmargin.spark;

import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.data.UnreadableSampleException;
import io.qmargin.data.face.CorruptImageException;
import io.qmargin.data.face.ImageDecoder;
import io.qmargin.data.speech.SpeechCorpus;
import io.qmargin.data.speech.SpeechSampleSet;
import io.qmargin.data.speech.Utterance;
import io.qmargin.train.Embedder;
import io.qmargin.train.SpeechData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Embedding on Spark: samples (id, label, path of an image or audio file) to embeddings with a
 * trained model, as {@code qmargin embed} computes them (the same model loading, preprocessing or
 * features, and {@link Embedder}). The model directory is shipped to every executor once (a zip,
 * {@code SparkContext.addFile}) and loaded once per executor ({@link ExecutorModels}). A sample
 * that cannot be read (or is too short for a speaker model) gets no embedding and the reason
 * instead.
 *
 * @param batch images per forward pass
 */
public record EmbedJob(SparkSession spark, int batch) {

  /** The samples' columns: id (unique), label (may be null), path (a local or shared file). */
  public static final StructType SAMPLES =
      new StructType()
          .add("id", DataTypes.StringType, false)
          .add("label", DataTypes.StringType, true)
          .add("path", DataTypes.StringType, false);

  /** The result: an embedding table's columns, and the reason a sample was skipped. */
  public static final StructType RESULT =
      new StructType()
          .add("id", DataTypes.StringType, false)
          .add("label", DataTypes.StringType, true)
          .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), true)
          .add("skipped", DataTypes.StringType, true);

  /**
   * Embeds {@code samples} with the model in {@code runOrModelDir}; {@code audio} says whether the
   * paths are audio (a speaker model) or images (a face model).
   */
  public Dataset<Row> run(Dataset<Row> samples, Path runOrModelDir, boolean audio) {
    Path modelDir =
        Files.isRegularFile(runOrModelDir.resolve("model.json"))
            ? runOrModelDir
            : runOrModelDir.resolve("model");
    if (!Files.isRegularFile(modelDir.resolve("model.json"))) {
      throw new UserInputException(
          runOrModelDir + ": no trained model (expected model/model.json; is the run finished?)");
    }
    // one file (a zip of the model folder), as a cluster's driver serves files but not folders
    String name = ExecutorModels.ship(modelDir, spark);
    int b = batch;
    JavaRDD<Row> rows =
        samples
            .select("id", "label", "path")
            .javaRDD()
            .mapPartitions(
                it -> {
                  List<Row> in = new ArrayList<>();
                  it.forEachRemaining(in::add);
                  if (in.isEmpty()) {
                    return List.<Row>of().iterator();
                  }
                  ExecutorModels.Loaded m = ExecutorModels.get(SparkFiles.get(name), b);
                  List<Row> out = audio ? embedAudio(m, in) : embedImages(m, in);
                  FaultInjection.check();
                  return out.iterator();
                });
    return spark.createDataFrame(rows, RESULT);
  }

  private static List<Row> embedImages(ExecutorModels.Loaded m, List<Row> in) {
    if (m.speaker()) {
      throw new UserInputException(
          m.model().dir() + " is a speaker model; embed images with a face model");
    }
    List<Row> out = new ArrayList<>();
    List<float[]> decoded = new ArrayList<>();
    List<Row> kept = new ArrayList<>();
    for (Row r : in) {
      try {
        decoded.add(m.preprocessing().apply(ImageDecoder.decode(Path.of(r.getString(2))), false));
        kept.add(r);
      } catch (CorruptImageException | UserInputException e) {
        out.add(RowFactory.create(r.getString(0), r.getString(1), null, e.getMessage()));
      }
    }
    float[] e;
    synchronized (m) {
      e = m.embedder().embed(decoded.size(), decoded::get, false, Progress.NONE);
    }
    addRows(out, kept, e);
    return out;
  }

  private static List<Row> embedAudio(ExecutorModels.Loaded m, List<Row> in) {
    if (!m.speaker()) {
      throw new UserInputException(
          m.model().dir() + " is a face model; embed audio with a speaker model");
    }
    List<Utterance> utts = new ArrayList<>();
    for (Row r : in) {
      utts.add(new Utterance(r.getString(0), Path.of(r.getString(2)), Utterance.UNKNOWN_SPEAKER));
    }
    var set =
        new SpeechSampleSet(
            SpeechCorpus.of(utts, "spark partition"),
            SpeechData.options(m.model().config(), false));
    List<Row> out = new ArrayList<>();
    List<Embedder.Sample> feats = new ArrayList<>();
    List<Row> kept = new ArrayList<>();
    for (int i = 0; i < utts.size(); i++) {
      Row r = in.get(i);
      try {
        var f = set.features(i);
        if (f.numFrames() < m.minFrames()) {
          out.add(
              RowFactory.create(
                  r.getString(0),
                  r.getString(1),
                  null,
                  set.source(i)
                      + ": too short for the model: "
                      + f.numFrames()
                      + " frame(s), it needs at least "
                      + m.minFrames()));
          continue;
        }
        feats.add(new Embedder.Sample(f.values(), new long[] {f.numFrames(), f.dim()}));
        kept.add(r);
      } catch (UnreadableSampleException e) {
        out.add(RowFactory.create(r.getString(0), r.getString(1), null, e.getMessage()));
      }
    }
    float[] e;
    synchronized (m) {
      e = m.embedder().embedEach(feats.size(), feats::get, Progress.NONE);
    }
    addRows(out, kept, e);
    return out;
  }

  private static void addRows(List<Row> out, List<Row> kept, float[] e) {
    if (kept.isEmpty()) {
      return;
    }
    int dim = e.length / kept.size();
    for (int i = 0; i < kept.size(); i++) {
      Float[] v = new Float[dim];
      for (int k = 0; k < dim; k++) {
        v[k] = e[i * dim + k];
      }
      out.add(RowFactory.create(kept.get(i).getString(0), kept.get(i).getString(1), v, null));
    }
  }
}
