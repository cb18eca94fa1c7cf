package io.qmargin.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.qmargin.eval.protocol.Vectors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class CleanAndSearchJobTest {
  static final int DIM = 32;

  /** Images of 12 identities (8 each, centre + noise) and the planted problems. */
  static final class Planted {
    final List<String> ids = new ArrayList<>();
    final List<String> labels = new ArrayList<>();
    final List<float[]> rows = new ArrayList<>();
    final Random r = new Random(7);
    final float[][] centres = new float[12][DIM];

    Planted() {
      for (float[] c : centres) {
        for (int k = 0; k < DIM; k++) {
          c[k] = (float) r.nextGaussian();
        }
      }
      for (int p = 0; p < 12; p++) {
        for (int i = 0; i < 8; i++) {
          add("p" + p + "/" + i, "p" + p, near(centres[p], 0.3));
        }
      }
    }

    float[] near(float[] c, double noise) {
      float[] e = new float[DIM];
      for (int k = 0; k < DIM; k++) {
        e[k] = c[k] + (float) (noise * r.nextGaussian());
      }
      return e;
    }

    void add(String id, String label, float[] e) {
      ids.add(id);
      labels.add(label);
      rows.add(e);
    }

    Dataset<Row> table() {
      float[] data = new float[rows.size() * DIM];
      for (int i = 0; i < rows.size(); i++) {
        System.arraycopy(rows.get(i), 0, data, i * DIM, DIM);
      }
      return EmbeddingTables.of(
          LocalSpark.session(),
          ids.toArray(new String[0]),
          labels.toArray(new String[0]),
          data,
          DIM);
    }
  }

  @Test
  void cleaningFindsThePlantedMislabelDuplicatesAndTwinIdentity() {
    Planted d = new Planted();
    d.add("p5/mislabelled", "p5", d.near(d.centres[3], 0.3)); // a p3 face filed under p5
    d.add("p7/copy", "p7", d.rows.get(d.ids.indexOf("p7/2")).clone()); // exact duplicate
    float[] almost = d.rows.get(d.ids.indexOf("p9/4")).clone();
    almost[0] += 1e-3f;
    d.add("p9/almost", "p9", almost); // near-duplicate
    float[] twin = d.near(d.centres[0], 0.1); // identity "twin" is p0 again
    for (int i = 0; i < 5; i++) {
      d.add("twin/" + i, "twin", d.near(twin, 0.3));
    }

    CleanJob.Result r = new CleanJob(LocalSpark.session(), 20, 0.9, 0.99).run(d.table(), "mem");

    // besides the planted one, only images of the two names of one person (p0, twin) qualify
    List<Row> mislabels = r.mislabels().collectAsList();
    assertThat(mislabels)
        .filteredOn(x -> !Set.of(x.getString(1), x.getString(3)).equals(Set.of("p0", "twin")))
        .extracting(x -> x.getString(0), x -> x.getString(1), x -> x.getString(3))
        .containsExactly(tuple("p5/mislabelled", "p5", "p3"));
    Row m = mislabels.stream().filter(x -> x.getString(1).equals("p5")).findFirst().orElseThrow();
    assertThat(m.getFloat(4)).isGreaterThan((float) m.getDouble(2));
    assertThat(r.duplicates().collectAsList())
        .extracting(x -> x.getString(0), x -> x.getString(2))
        .containsExactlyInAnyOrder(tuple("p7/2", "p7/copy"), tuple("p9/4", "p9/almost"));
    assertThat(r.merges().collectAsList())
        .extracting(x -> x.getString(0), x -> x.getString(1))
        .containsExactly(tuple("p0", "twin"));
    List<Row> centroids = r.centroids().orderBy("label").collectAsList();
    assertThat(centroids).hasSize(13);
    Row p0 = centroids.get(0);
    assertThat(p0.getString(0)).isEqualTo("p0");
    assertThat(p0.getLong(1)).isEqualTo(8);
    // the centroid: the normalised mean of the normalised embeddings, computed here independently
    double[] mean = new double[DIM];
    for (int i = 0; i < d.ids.size(); i++) {
      if (d.labels.get(i).equals("p0")) {
        float[] e = d.rows.get(i).clone();
        Vectors.normalizeRow(e, 0, DIM);
        for (int k = 0; k < DIM; k++) {
          mean[k] += e[k];
        }
      }
    }
    double norm = Math.sqrt(java.util.Arrays.stream(mean).map(x -> x * x).sum());
    List<Float> c = p0.getList(2);
    for (int k = 0; k < DIM; k++) {
      assertThat((double) c.get(k))
          .isCloseTo(mean[k] / norm, org.assertj.core.data.Offset.offset(1e-6));
    }
  }

  @Test
  void searchReturnsTheExactTopKOfEveryProbe() {
    Planted d = new Planted();
    Dataset<Row> all = d.table();
    Dataset<Row> gallery = all.filter("id NOT LIKE '%/0'");
    Dataset<Row> probes = all.filter("id LIKE '%/0'");
    List<Row> got =
        new SearchJob(LocalSpark.session(), 25)
            .topK(probes, "probes", gallery, "gallery", 3)
            .orderBy("probe_id", "rank")
            .collectAsList();
    assertThat(got).hasSize(12 * 3);
    for (int p = 0; p < 12; p++) {
      String probe = "p" + p + "/0";
      float[] q = normalized(d.rows.get(d.ids.indexOf(probe)));
      List<Object[]> scored = new ArrayList<>();
      for (int i = 0; i < d.ids.size(); i++) {
        if (!d.ids.get(i).endsWith("/0")) {
          float s = Vectors.dot(q, 0, normalized(d.rows.get(i)), 0, DIM);
          scored.add(new Object[] {d.ids.get(i), s});
        }
      }
      scored.sort(
          Comparator.comparing((Object[] o) -> -(float) o[1]).thenComparing(o -> (String) o[0]));
      List<Row> mine = got.stream().filter(x -> x.getString(0).equals(probe)).toList();
      for (int rank = 0; rank < 3; rank++) {
        assertThat(mine.get(rank).getInt(2)).isEqualTo(rank + 1);
        assertThat(mine.get(rank).getString(3)).isEqualTo(scored.get(rank)[0]);
        assertThat(mine.get(rank).getFloat(5)).isEqualTo(scored.get(rank)[1]);
        assertThat(mine.get(rank).getString(4)).isEqualTo("p" + p);
      }
    }
  }

  static float[] normalized(float[] e) {
    float[] c = e.clone();
    Vectors.normalizeRow(c, 0, c.length);
    return c;
  }
}
