package io.qmargin.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The one local Spark session of the tests (started on first use, stopped by Spark's shutdown
 * hook): two threads, a failed task retried once (local[2,2]), loopback only, no UI.
 */
public final class LocalSpark {
  private LocalSpark() {}

  private static SparkSession session;

  /** The session; small data: two shuffle partitions, no code generation for whole stages. */
  public static synchronized SparkSession session() {
    if (session == null) {
      System.setProperty("spark.sql.shuffle.partitions", "2");
      System.setProperty("spark.sql.codegen.wholeStage", "false");
      session = SparkSessions.get("local[2,2]", "qmargin-tests");
    }
    return session;
  }
}
