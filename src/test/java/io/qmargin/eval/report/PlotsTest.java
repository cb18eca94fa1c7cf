package io.qmargin.eval.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.NormalDeviate;
import io.qmargin.eval.metrics.VerificationMetrics;
import java.awt.Rectangle;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlotsTest {

  /** Gaussian scores: targets N(2.5, 1), non-targets N(0, 1). */
  private static Plots.Series system(String name, int targets, int nontargets, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] t = new double[targets];
    double[] n = new double[nontargets];
    for (int i = 0; i < targets; i++) {
      t[i] = 2.5 + gaussian(r);
    }
    for (int i = 0; i < nontargets; i++) {
      n[i] = gaussian(r);
    }
    return new Plots.Series(
        name, VerificationMetrics.compute(t, n, MetricOptions.defaults()).roc());
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  @Test
  void detLowerBoundIsOneInTenThousandOrOneOverTheCountRoundedDown() {
    assertThat(Plots.detLowerBound(10)).isEqualTo(1e-4);
    assertThat(Plots.detLowerBound(10_000)).isEqualTo(1e-4);
    assertThat(Plots.detLowerBound(20_001)).isEqualTo(2e-5); // 1/20001 = 4.9998e-5
    assertThat(Plots.detLowerBound(200_000)).isEqualTo(5e-6);
    assertThat(Plots.detLowerBound(1_000_000)).isEqualTo(1e-6);
    assertThat(Plots.detLowerBound(3_000_000)).isEqualTo(2e-7); // 3.3e-7
  }

  @Test
  void detAxesRunFromTheLowerBoundsToFiftyPercentAndHoldEveryPoint() {
    Plots.Series a = system("a", 3000, 200_000, 1);
    Plots.Series b = system("b", 500, 20_000, 2);
    Figure f = Plots.detChart(List.of(a, b), "DET");
    // false accepts: the most impostors (200,000) set the lower end; misses: the most targets (3000
    // -> 0.01%)
    assertThat(f.x().min()).isEqualTo(NormalDeviate.probit(5e-6));
    assertThat(f.y().min()).isEqualTo(NormalDeviate.probit(1e-4));
    assertThat(f.x().max()).isCloseTo(0, within(1e-9));
    assertThat(f.y().max()).isCloseTo(0, within(1e-9));
    // every point of the systems' curves is at or above the lower ends (the diagonal is cut by the
    // frame)
    for (Figure.Curve c : f.curves().subList(1, 3)) {
      assertThat(c.x()).isNotEmpty();
      for (int i = 0; i < c.x().length; i++) {
        assertThat(c.x()[i]).isGreaterThanOrEqualTo(f.x().min());
        assertThat(c.y()[i]).isGreaterThanOrEqualTo(f.y().min());
      }
    }
    // a single system with few trials keeps the fixed range
    Figure small = Plots.detChart(List.of(system("s", 100, 1000, 3)), "DET");
    assertThat(small.x().min()).isEqualTo(NormalDeviate.probit(1e-4));
    assertThat(small.y().min()).isEqualTo(NormalDeviate.probit(1e-4));
  }

  @Test
  void detTicksArePercentLabelsInsideTheRangeAndApart() {
    Figure f = Plots.detChart(List.of(system("a", 3000, 200_000, 1)), "DET");
    for (Figure.Axis axis : List.of(f.x(), f.y())) {
      for (Figure.Tick t : axis.ticks()) {
        assertThat(t.at()).isBetween(axis.min() - 1e-12, axis.max() + 1e-12);
        assertThat(t.label()).matches("\\d+(\\.\\d+)?%");
      }
    }
    assertThat(f.x().ticks())
        .extracting(Figure.Tick::label)
        .contains("0.001%", "0.01%", "0.1%", "1%", "10%", "50%");
    assertThat(f.y().ticks())
        .extracting(Figure.Tick::label)
        .containsExactly(
            "0.01%",
            "0.02%", "0.05%", "0.1%", "0.2%", "0.5%", "1%", "2%", "5%", "10%", "20%", "50%");
    // labels do not touch: at least a label's width apart on x, a line apart on y (in pixels)
    for (int i = 1; i < f.x().ticks().size(); i++) {
      assertThat(f.screenX(f.x().ticks().get(i).at()) - f.screenX(f.x().ticks().get(i - 1).at()))
          .isGreaterThanOrEqualTo(55.9);
    }
    for (int i = 1; i < f.y().ticks().size(); i++) {
      assertThat(f.screenY(f.y().ticks().get(i - 1).at()) - f.screenY(f.y().ticks().get(i).at()))
          .isGreaterThanOrEqualTo(21.9);
    }
  }

  @Test
  void rocAxisIsLogFarFromThePowerOfTenBelowOneOverImpostorsWithOneLabelStyle() {
    Figure f =
        Plots.rocChart(List.of(system("a", 300, 100_000, 1), system("b", 300, 2000, 2)), "ROC");
    assertThat(f.x().min()).isEqualTo(-5);
    assertThat(f.x().max()).isEqualTo(0);
    assertThat(f.x().ticks())
        .extracting(Figure.Tick::label)
        .containsExactly("10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰");
    assertThat(f.y().ticks()).extracting(Figure.Tick::label).allMatch(s -> s.matches("\\d+%"));
    assertThat(Plots.rocChart(List.of(system("c", 300, 200_000, 1)), "ROC").x().min())
        .isEqualTo(-6);
  }

  @Test
  void legendSitsBelowTheTickLabelsOutsideThePlotArea() {
    Figure f =
        Plots.detChart(
            List.of(
                system("a", 300, 2000, 1), system("b", 300, 2000, 2), system("c", 300, 2000, 3)),
            "DET");
    Figure.Layout l = f.layout();
    Rectangle plot = l.plot();
    assertThat(l.legend().y)
        .isGreaterThan(plot.y + plot.height + 40); // below tick labels and axis title
    assertThat(l.legend().intersects(plot)).isFalse();
    assertThat(l.height()).isGreaterThanOrEqualTo(l.legend().y + l.legend().height);
    assertThat(f.curves()).hasSize(4); // the diagonal and three systems
  }
}
