package io.qmargin.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobOutputsTest {
  @TempDir Path dir;

  @Test
  void aFailedJobLeavesThePreviousOutputAndNoStagingDirectory() throws Exception {
    SparkSession spark = LocalSpark.session();
    String out = dir.resolve("t.parquet").toString();
    JobOutputs.parquet(spark.range(5).toDF(), out);
    Dataset<Long> failing =
        spark
            .range(100)
            .map(
                (MapFunction<Long, Long>)
                    x -> {
                      if (x == 77) {
                        throw new IllegalStateException("task fails");
                      }
                      return x;
                    },
                Encoders.LONG());
    assertThatThrownBy(() -> JobOutputs.parquet(failing.toDF(), out))
        .hasStackTraceContaining("task fails");
    assertThat(spark.read().parquet(out).count()).isEqualTo(5);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("t.parquet");
    }
    JobOutputs.parquet(spark.range(7).toDF(), out); // success replaces it
    assertThat(spark.read().parquet(out).count()).isEqualTo(7);
  }

  @Test
  void aTaskFailedOnceWritesTheSameRowsOnce() {
    SparkSession spark = LocalSpark.session();
    Random r = new Random(9);
    int n = 60;
    float[] data = new float[n * 4];
    String[] ids = new String[n];
    String[] labels = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = "x" + i;
      labels[i] = "l" + (i % 5);
      for (int k = 0; k < 4; k++) {
        data[i * 4 + k] = (float) r.nextGaussian();
      }
    }
    Dataset<Row> t = EmbeddingTables.of(spark, ids, labels, data, 4);
    SearchJob job = new SearchJob(spark, 20);
    String clean = dir.resolve("clean.parquet").toString();
    String retried = dir.resolve("retried.parquet").toString();
    JobOutputs.parquet(job.topK(t, "t", t, "t", 3), clean);
    spark.sparkContext().setLocalProperty(FaultInjection.PROPERTY, "true");
    try {
      JobOutputs.parquet(job.topK(t, "t", t, "t", 3), retried);
    } finally {
      spark.sparkContext().setLocalProperty(FaultInjection.PROPERTY, null);
    }
    List<Row> a = spark.read().parquet(clean).orderBy("probe_id", "rank").collectAsList();
    List<Row> b = spark.read().parquet(retried).orderBy("probe_id", "rank").collectAsList();
    assertThat(a).hasSize(n * 3);
    assertThat(b).isEqualTo(a);
  }
}
