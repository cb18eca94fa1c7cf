package io.qmargin.spark;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The short Markdown report of a cleaning job: the counts and the strongest candidates. */
final class CleanReport {
  private CleanReport() {}

  /** Candidates listed per kind in the report (all are in the Parquet outputs). */
  static final int SHOWN = 10;

  static String of(
      String source,
      double mergeThreshold,
      double duplicateThreshold,
      Dataset<Row> centroids,
      Dataset<Row> mislabels,
      Dataset<Row> merges,
      Dataset<Row> duplicates) {
    Row totals = centroids.selectExpr("count(*)", "coalesce(sum(images), 0)").first();
    StringBuilder md = new StringBuilder();
    md.append("# Cleaning of ").append(source).append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%d images of %d identities.%n%n"
                + "- mislabel candidates (an other identity's centroid closer than their own): %d%n"
                + "- merge candidates (identity pairs with centroid cosine >= %s): %d%n"
                + "- near-duplicate image pairs (cosine >= %s): %d%n",
            totals.getLong(1),
            totals.getLong(0),
            mislabels.count(),
            mergeThreshold,
            merges.count(),
            duplicateThreshold,
            duplicates.count()));
    section(
        md,
        "Mislabel candidates",
        "| id | label | own | best other | its similarity |",
        mislabels
            .selectExpr(
                "id",
                "label",
                "format_number(own_similarity, 4)",
                "best_other_label",
                "format_number(best_other_similarity, 4)",
                "best_other_similarity - own_similarity AS margin")
            .orderBy(
                org.apache.spark.sql.functions.col("margin").desc(),
                org.apache.spark.sql.functions.col("id"))
            .drop("margin"));
    section(
        md,
        "Merge candidates",
        "| label | label | centroid cosine |",
        merges
            .orderBy(
                org.apache.spark.sql.functions.col("similarity").desc(),
                org.apache.spark.sql.functions.col("label_a"))
            .selectExpr("label_a", "label_b", "format_number(similarity, 4)"));
    section(
        md,
        "Near-duplicates",
        "| image | image | cosine |",
        duplicates
            .orderBy(
                org.apache.spark.sql.functions.col("similarity").desc(),
                org.apache.spark.sql.functions.col("id_a"))
            .selectExpr("id_a", "id_b", "format_number(similarity, 4)"));
    md.append(
        "\nAll candidates: mislabels.parquet, merges.parquet, duplicates.parquet; centroids:"
            + " centroids.parquet.\n");
    return md.toString();
  }

  private static void section(StringBuilder md, String title, String header, Dataset<Row> rows) {
    List<Row> top = rows.limit(SHOWN).collectAsList();
    if (top.isEmpty()) {
      return;
    }
    md.append("\n## ").append(title).append(" (strongest ").append(top.size()).append(")\n\n");
    md.append(header).append('\n');
    md.append(header.replaceAll("[^|]+", "---")).append('\n');
    for (Row r : top) {
      md.append('|');
      for (int i = 0; i < r.size(); i++) {
        md.append(' ').append(r.get(i)).append(" |");
      }
      md.append('\n');
    }
  }
}
