package io.qmargin.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Spark sessions of the jobs. Under {@code spark-submit} the master and every setting come from the
 * submission (the {@code spark.*} system properties it sets); otherwise the session runs in local
 * mode on this machine, bound to the loopback interface with the web UI off, so that it opens no
 * port beyond 127.0.0.1.
 */
public final class SparkSessions {
  private SparkSessions() {}

  /**
   * The session of a job: the submitted one's settings when {@code spark.master} is set, else
   * {@code localMaster} (e.g. {@code local[*]}) on the loopback interface.
   */
  public static SparkSession get(String localMaster, String appName) {
    SparkConf conf = new SparkConf(); // loads the spark.* system properties (spark-submit's)
    if (!conf.contains("spark.master")) {
      local(conf, localMaster);
    }
    conf.setIfMissing("spark.app.name", appName);
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /** Local-mode settings: loopback only, no UI, few SQL shuffle partitions (one machine). */
  static SparkConf local(SparkConf conf, String master) {
    return conf.setMaster(master)
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        .setIfMissing("spark.sql.shuffle.partitions", "8")
        .setIfMissing("spark.locality.wait", "0"); // one machine: no task waits for a locality
  }
}
