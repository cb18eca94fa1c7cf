package io.qmargin.serve;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SearchBenchmarkTest {
  @Test
  void percentilesAreNearestRank() {
    // sorted 1..5: p50 is the 3rd value (rank ceil(2.5)), p99 the 5th (rank ceil(4.95))
    SearchBenchmark.Latency l = SearchBenchmark.Latency.of(new double[] {5, 1, 3, 2, 4});
    assertThat(l).isEqualTo(new SearchBenchmark.Latency(3, 5, 3, 5));
    double[] hundred = new double[100];
    for (int i = 0; i < 100; i++) {
      hundred[i] = 100 - i;
    }
    assertThat(SearchBenchmark.Latency.of(hundred).p99()).isEqualTo(99);
  }
}
