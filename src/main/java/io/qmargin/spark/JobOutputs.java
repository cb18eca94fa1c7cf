package io.qmargin.spark;

import io.qmargin.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Outputs of the jobs on any Hadoop file system (a local path, HDFS, ...), each complete or absent:
 * a table is written by Spark's commit protocol (a retried or speculative task never adds rows)
 * into a hidden staging directory beside the target, which replaces the target only when the job
 * has succeeded; a failed job leaves the previous output as it was and removes its staging
 * directory.
 */
public final class JobOutputs {
  private JobOutputs() {}

  /** Writes {@code table} as Parquet at {@code path}, replacing what was there only on success. */
  public static void parquet(Dataset<Row> table, String path) {
    replace(table.sparkSession(), path, stage -> table.write().parquet(stage.toString()));
  }

  /**
   * Writes a UTF-8 text file at {@code path}, replacing what was there only on success; a local
   * file through {@link AtomicFiles} (no Hadoop checksum file beside it).
   */
  public static void text(SparkSession spark, String path, String text) {
    Path target = new Path(path);
    try {
      FileSystem fs = target.getFileSystem(conf(spark));
      if (fs instanceof LocalFileSystem local) {
        AtomicFiles.writeString(local.pathToFile(target).toPath(), text);
        return;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": " + e.getMessage(), e);
    }
    replace(
        spark,
        path,
        stage -> {
          try (OutputStream o = stage.getFileSystem(conf(spark)).create(stage, false)) {
            o.write(text.getBytes(StandardCharsets.UTF_8));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private interface Writer {
    void write(Path stage);
  }

  private static org.apache.hadoop.conf.Configuration conf(SparkSession spark) {
    return spark.sparkContext().hadoopConfiguration();
  }

  private static void replace(SparkSession spark, String path, Writer writer) {
    Path target = new Path(path);
    String hidden = "." + target.getName() + "." + UUID.randomUUID();
    Path stage = new Path(target.getParent(), hidden + ".staging");
    Path old = new Path(target.getParent(), hidden + ".old");
    try {
      FileSystem fs = target.getFileSystem(conf(spark));
      try {
        if (target.getParent() != null) {
          fs.mkdirs(target.getParent());
        }
        writer.write(stage);
        boolean hadOld = fs.exists(target);
        if (hadOld && !fs.rename(target, old)) {
          throw new IOException("could not move the previous " + target + " aside");
        }
        if (!fs.rename(stage, target)) {
          if (hadOld) {
            fs.rename(old, target);
          }
          throw new IOException("could not move " + stage + " to " + target);
        }
        if (hadOld) {
          fs.delete(old, true);
        }
      } finally {
        if (fs.exists(stage)) {
          fs.delete(stage, true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": " + e.getMessage(), e);
    }
  }
}
