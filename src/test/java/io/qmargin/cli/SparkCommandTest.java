package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.io.Json;
import io.qmargin.io.Npy;
import io.qmargin.spark.EmbeddingTables;
import io.qmargin.spark.LocalSpark;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qmargin spark ...} in local mode, against the single-machine commands. */
class SparkCommandTest {
  @TempDir static Path shared;
  @TempDir Path dir;

  private static SparkSession spark;

  /** One local session for the class: the jobs use it and leave it running. */
  @BeforeAll
  static void session() {
    spark = LocalSpark.session();
  }

  private static int run(CliCapture c, String... args) {
    return c.run(args);
  }

  @Test
  void sparkEmbedEqualsEmbedAndSkipsUnreadableImages() throws Exception {
    Path model = shared.resolve("run");
    CliCapture train = new CliCapture();
    assertThat(
            run(
                train,
                "train",
                "--out",
                model.toString(),
                "--set",
                "data.identities=4",
                "--set",
                "data.samples_per_identity=2",
                "--set",
                "data.image_size=32",
                "--set",
                "model.embedding_dim=8",
                "--set",
                "batch_size=8",
                "--set",
                "schedule.epochs=1",
                "--set",
                "validation.type=none"))
        .as(train.err.toString())
        .isZero();
    Path images = dir.resolve("faces");
    Random r = new Random(3);
    for (String person : List.of("ann", "bob", "cy")) {
      Files.createDirectories(images.resolve(person));
      for (int i = 0; i < 3; i++) {
        BufferedImage img = new BufferedImage(30, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
          for (int x = 0; x < 30; x++) {
            img.setRGB(x, y, r.nextInt(1 << 24));
          }
        }
        ImageIO.write(img, "png", images.resolve(person + "/" + i + ".png").toFile());
      }
    }
    Files.write(images.resolve("bob/broken.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3});

    CliCapture single = new CliCapture();
    Path npy = dir.resolve("e.npy");
    Path keys = dir.resolve("k.txt");
    assertThat(
            run(
                single,
                "embed",
                "--model",
                model.toString(),
                "--images",
                images.toString(),
                "--out",
                npy.toString(),
                "--keys",
                keys.toString()))
        .as(single.err.toString())
        .isZero();
    CliCapture c = new CliCapture();
    Path table = dir.resolve("e.parquet");
    assertThat(
            run(
                c,
                "spark",
                "embed",
                "--model",
                model.toString(),
                "--images",
                images.toString(),
                "--out",
                table.toString()))
        .as(c.err.toString())
        .isZero();
    assertThat(c.out.toString()).contains("9 embeddings -> ").contains("(1 inputs skipped)");
    assertThat(c.err.toString()).contains("skipped ").contains("broken.jpg");

    // a sample table: path, and id and label of the user's choosing
    Path csv = dir.resolve("samples.csv");
    Files.writeString(
        csv,
        "path,id,label\n"
            + images.resolve("ann/0.png").toAbsolutePath()
            + ",first,A\n"
            + images.resolve("cy/2.png").toAbsolutePath()
            + ",second,C\n");
    CliCapture t = new CliCapture();
    Path fromTable = dir.resolve("t.parquet");
    assertThat(
            run(
                t,
                "spark",
                "embed",
                "--model",
                model.toString(),
                "--table",
                csv.toString(),
                "--out",
                fromTable.toString()))
        .as(t.err.toString())
        .isZero();
    List<Row> tableRows = spark.read().parquet(fromTable.toString()).orderBy("id").collectAsList();
    assertThat(tableRows)
        .extracting(x -> x.getString(0), x -> x.getString(1))
        .containsExactly(
            org.assertj.core.api.Assertions.tuple("first", "A"),
            org.assertj.core.api.Assertions.tuple("second", "C"));

    List<String> k = Files.readAllLines(keys);
    float[] e = Npy.read(npy).toFloats();
    int d = e.length / k.size();
    List<Row> rows = spark.read().parquet(table.toString()).collectAsList();
    assertThat(rows).hasSize(k.size());
    for (Row row : rows) {
      int i = k.indexOf(row.getString(0));
      assertThat(i).as(row.getString(0)).isNotNegative();
      assertThat(row.getString(1)).isEqualTo(row.getString(0).split("/")[0]);
      List<Float> v = row.getList(2);
      for (int j = 0; j < d; j++) {
        assertThat(v.get(j)).isCloseTo(e[i * d + j], org.assertj.core.data.Offset.offset(1e-6f));
      }
      if (row.getString(0).equals("ann/0.png")) { // the table's "first"
        List<Float> first = tableRows.get(0).getList(2);
        for (int j = 0; j < d; j++) {
          assertThat(first.get(j)).isCloseTo(v.get(j), org.assertj.core.data.Offset.offset(1e-6f));
        }
      }
    }
  }

  /**
   * Speaker models: {@code spark embed --audio wav.scp} gives the embeddings {@code embed --audio}
   * gives (the same features and whole-utterance forward), keyed by utterance id.
   */
  @Test
  void sparkEmbedOfAudioEqualsEmbed() throws Exception {
    Path data = io.qmargin.train.SpeakerTrainingTest.dataDir(dir.resolve("speech"), 3, 4);
    Path model = dir.resolve("speaker-run");
    CliCapture train = new CliCapture();
    assertThat(
            run(
                train,
                "train",
                "--out",
                model.toString(),
                "--set",
                "task=speaker",
                "--set",
                "data.type=kaldi",
                "--set",
                "data.path=" + data,
                "--set",
                "speech.sample_rate=8000",
                "--set",
                "speech.num_mel_bins=40",
                "--set",
                "speech.crop_frames=40",
                "--set",
                "model.embedding_dim=16",
                "--set",
                "batch_size=6",
                "--set",
                "schedule.epochs=1",
                "--set",
                "validation.type=none"))
        .as(train.err.toString())
        .isZero();
    Path scp = data.resolve("wav.scp");
    CliCapture single = new CliCapture();
    Path npy = dir.resolve("a.npy");
    Path keys = dir.resolve("a.txt");
    assertThat(
            run(
                single,
                "embed",
                "--model",
                model.toString(),
                "--audio",
                scp.toString(),
                "--out",
                npy.toString(),
                "--keys",
                keys.toString()))
        .as(single.err.toString())
        .isZero();
    CliCapture c = new CliCapture();
    Path table = dir.resolve("a.parquet");
    assertThat(
            run(
                c,
                "spark",
                "embed",
                "--model",
                model.toString(),
                "--audio",
                scp.toString(),
                "--out",
                table.toString()))
        .as(c.err.toString())
        .isZero();
    List<String> k = Files.readAllLines(keys);
    assertThat(k).hasSize(12);
    float[] e = Npy.read(npy).toFloats();
    int d = e.length / k.size();
    List<Row> rows = spark.read().parquet(table.toString()).collectAsList();
    assertThat(rows).extracting(x -> x.getString(0)).containsExactlyInAnyOrderElementsOf(k);
    for (Row row : rows) {
      int i = k.indexOf(row.getString(0));
      List<Float> v = row.getList(2);
      assertThat(v).hasSize(d);
      for (int j = 0; j < d; j++) {
        assertThat(v.get(j)).isCloseTo(e[i * d + j], org.assertj.core.data.Offset.offset(1e-6f));
      }
    }
  }

  @Test
  void sparkScoreWritesTheMetricsJsonOfEvalTrialsOnAllPairs() throws Exception {
    int n = 60;
    int dim = 6;
    Random r = new Random(5);
    float[] data = new float[n * dim];
    String[] ids = new String[n];
    String[] labels = new String[n];
    List<String> trialLines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids[i] = "u" + i;
      labels[i] = "s" + (i % 7);
      for (int k = 0; k < dim; k++) {
        data[i * dim + k] = (float) r.nextGaussian() + (i % 7 == k ? 2 : 0);
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        trialLines.add((labels[i].equals(labels[j]) ? 1 : 0) + " " + ids[i] + " " + ids[j]);
      }
    }
    Path npy = dir.resolve("e.npy");
    Npy.writeFloat32(npy, data, n, dim);
    Files.write(dir.resolve("k.txt"), List.of(ids));
    Files.write(dir.resolve("trials.txt"), trialLines);
    Path table = dir.resolve("e.parquet");
    EmbeddingTables.of(spark, ids, labels, data, dim).write().parquet(table.toString());

    CliCapture single = new CliCapture();
    assertThat(
            run(
                single,
                "eval",
                "trials",
                dir.resolve("trials.txt").toString(),
                "--embeddings",
                npy.toString(),
                "--keys",
                dir.resolve("k.txt").toString(),
                "--name",
                "sys",
                "--out",
                dir.resolve("single").toString()))
        .as(single.err.toString())
        .isZero();
    CliCapture c = new CliCapture();
    assertThat(
            run(
                c,
                "spark",
                "score",
                "--embeddings",
                table.toString(),
                "--name",
                "sys",
                "--block-rows",
                "16",
                "--out",
                dir.resolve("spark").toString()))
        .as(c.err.toString())
        .isZero();
    assertThat(dir.resolve("spark/report.md")).exists();
    JsonNode a = metricsOf(dir.resolve("spark/metrics.json"));
    JsonNode b = metricsOf(dir.resolve("single/metrics.json"));
    assertThat(a).isEqualTo(b);
    assertThat(a.toString()).contains("\"targets\"");
  }

  /** metrics.json without the extra that names the Spark job's input. */
  private static JsonNode metricsOf(Path file) throws Exception {
    JsonNode root = Json.mapper().readTree(file.toFile());
    root.findParents("protocol").forEach(p -> ((ObjectNode) p).remove("protocol"));
    return root;
  }

  @Test
  void sparkCleanWritesItsTablesAndReportAndBadInputIsOneLine() throws Exception {
    String[] ids = {"a/1", "a/2", "a/3", "b/1", "b/2", "b/3"};
    String[] labels = {"a", "a", "a", "b", "b", "b"};
    float[] data = {1, 0, 0.9f, 0.1f, 0.95f, 0.2f, 0, 1, 0.1f, 0.9f, 0, 1};
    Path table = dir.resolve("e.parquet");
    EmbeddingTables.of(spark, ids, labels, data, 2).write().parquet(table.toString());
    CliCapture c = new CliCapture();
    Path out = dir.resolve("clean");
    assertThat(
            run(
                c,
                "spark",
                "clean",
                "--embeddings",
                table.toString(),
                "--out",
                out.toString(),
                "--duplicate-threshold",
                "0.999"))
        .as(c.err.toString())
        .isZero();
    // b/3 = (0, 1) is the same as b/1 = (0, 1): one duplicate pair
    assertThat(c.out.toString())
        .contains("6 images of 2 identities.")
        .contains("near-duplicate image pairs (cosine >= 0.999): 1");
    try (var files = Files.list(out)) {
      assertThat(
              files.map(p -> p.getFileName().toString()).sorted(Comparator.naturalOrder()).toList())
          .containsExactly(
              "centroids.parquet",
              "duplicates.parquet",
              "merges.parquet",
              "mislabels.parquet",
              "report.md");
    }

    // an error inside a task reaches the user as its one line
    Path zero = dir.resolve("zero.parquet");
    EmbeddingTables.of(
            spark, new String[] {"a", "b"}, new String[] {"x", "y"}, new float[] {1, 0, 0, 0}, 2)
        .write()
        .parquet(zero.toString());
    CliCapture z = new CliCapture();
    assertThat(
            run(
                z,
                "spark",
                "score",
                "--embeddings",
                zero.toString(),
                "--out",
                dir.resolve("z").toString()))
        .isNotZero();
    assertThat(z.err.toString().strip().lines()).hasSize(1);
    assertThat(z.err.toString()).contains("zero.parquet: the embedding of 'b' has zero norm");

    CliCapture bad = new CliCapture();
    assertThat(
            run(
                bad,
                "spark",
                "score",
                "--embeddings",
                dir.resolve("none.parquet").toString(),
                "--out",
                dir.resolve("x").toString()))
        .isNotZero();
    assertThat(bad.err.toString().strip().lines()).hasSize(1);
    assertThat(bad.err.toString()).contains("none.parquet: not a readable Parquet table");
  }
}
