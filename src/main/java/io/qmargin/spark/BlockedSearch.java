package io.qmargin.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.Tuple2;

/**
 * The blocked similarity searches of the jobs, exact: every pair of a query block and a set block
 * is scored in one task by {@link EmbeddingBlock#scorePairs} (the cosine of {@code eval}).
 */
public final class BlockedSearch {
  private BlockedSearch() {}

  /**
   * The k best rows of {@code set} for every row of {@code queries}, keyed by the query's id (the
   * value's first entry: its label).
   */
  public static JavaPairRDD<String, Tuple2<String, Neighbours>> topK(
      JavaRDD<EmbeddingBlock> queries, JavaRDD<EmbeddingBlock> set, int k) {
    return queries
        .cartesian(set)
        .flatMapToPair(
            p -> {
              EmbeddingBlock q = p._1();
              EmbeddingBlock g = p._2();
              Neighbours[] best = new Neighbours[q.size()];
              for (int i = 0; i < best.length; i++) {
                best[i] = new Neighbours(k);
              }
              q.scorePairs(g, false, (i, j, s) -> best[i].offer(g.ids()[j], g.labels()[j], s));
              FaultInjection.check();
              List<Tuple2<String, Tuple2<String, Neighbours>>> out = new ArrayList<>(best.length);
              for (int i = 0; i < best.length; i++) {
                out.add(new Tuple2<>(q.ids()[i], new Tuple2<>(q.labels()[i], best[i])));
              }
              return out.iterator();
            })
        .reduceByKey((a, b) -> new Tuple2<>(a._1(), a._2().merge(b._2())));
  }

  /**
   * Every unordered pair of distinct rows of one table whose cosine is at least {@code threshold},
   * as rows (id_a, label_a, id_b, label_b, similarity) with id_a &lt; id_b.
   */
  public static JavaRDD<Row> pairsAbove(JavaRDD<EmbeddingBlock> blocks, double threshold) {
    return blocks
        .cartesian(blocks)
        .filter(p -> p._1().index() <= p._2().index())
        .flatMap(
            p -> {
              EmbeddingBlock a = p._1();
              EmbeddingBlock b = p._2();
              List<Row> out = new ArrayList<>();
              a.scorePairs(
                  b,
                  true,
                  (i, j, s) -> {
                    if (s >= threshold) {
                      boolean ordered = a.ids()[i].compareTo(b.ids()[j]) < 0;
                      int x = ordered ? i : j;
                      int y = ordered ? j : i;
                      EmbeddingBlock bx = ordered ? a : b;
                      EmbeddingBlock by = ordered ? b : a;
                      out.add(
                          RowFactory.create(
                              bx.ids()[x], bx.labels()[x], by.ids()[y], by.labels()[y], s));
                    }
                  });
              FaultInjection.check();
              return out.iterator();
            });
  }
}
