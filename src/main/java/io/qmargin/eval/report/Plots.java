package io.qmargin.eval.report;

import io.qmargin.eval.metrics.DetCurve;
import io.qmargin.eval.metrics.NormalDeviate;
import io.qmargin.eval.metrics.RocCurve;
import io.qmargin.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * ROC and DET plots of one or several systems, as PNG and SVG.
 *
 * <ul>
 *   <li>ROC: TAR against FAR on a logarithmic FAR axis (points with FAR = 0 cannot be drawn there).
 *   <li>DET: miss rate against false accept rate, both on normal-deviate scales (probit), labelled
 *       in percent at the usual grid values; the dashed diagonal is P_miss = P_fa, which a curve
 *       crosses at its EER.
 * </ul>
 */
public final class Plots {
  private Plots() {}

  private static final int WIDTH = 800;
  private static final int HEIGHT = 640;
  private static final double[] GRID = {
    1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.98, 0.99
  };

  /** One curve to draw. */
  public record Series(String name, RocCurve roc) {}

  public static XYChart rocChart(List<Series> systems, String title) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("False accept rate (FAR)").yAxisTitle("True accept rate (TAR)").build();
    style(chart);
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    double minFar = 1;
    for (Series s : systems) {
      minFar = Math.min(minFar, 1.0 / s.roc().nontargets());
    }
    double lo = Math.pow(10, Math.floor(Math.log10(minFar)));
    chart.getStyler().setXAxisMin(lo);
    chart.getStyler().setXAxisMax(1.0);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(1.0);
    for (Series s : systems) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      RocCurve r = s.roc();
      for (int i = 0; i < r.size(); i++) {
        if (r.falseAccepts()[i] > 0) {
          x.add(r.far(i));
          y.add(r.tar(i));
        }
      }
      if (x.isEmpty()) {
        x.add(1.0);
        y.add(1.0);
      }
      XYSeries xs = chart.addSeries(uniqueName(chart, s.name()), x, y);
      xs.setLineColor(systemColor(systems.indexOf(s)));
      xs.setMarker(SeriesMarkers.NONE);
      xs.setLineWidth(1.6f);
    }
    return chart;
  }

  public static XYChart detChart(List<Series> systems, String title) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("False accept rate (%, normal deviate scale)").yAxisTitle("Miss rate (%, normal deviate scale)").build();
    style(chart);
    double lowX = 0.4;
    double lowY = 0.4;
    List<double[][]> pts = new ArrayList<>();
    for (Series s : systems) {
      DetCurve d = s.roc().det();
      List<double[]> xy = new ArrayList<>();
      for (int i = 0; i < d.size(); i++) {
        double pf = d.pFa()[i];
        double pm = d.pMiss()[i];
        if (pf > 0 && pf < 1 && pm > 0 && pm < 1) {
          xy.add(new double[] {pf, pm});
          if (pm <= 0.5) {
            lowX = Math.min(lowX, pf);
          }
          if (pf <= 0.5) {
            lowY = Math.min(lowY, pm);
          }
        }
      }
      pts.add(xy.toArray(new double[0][]));
    }
    double xMin = snapDown(Math.max(lowX, 1e-7));
    double yMin = snapDown(Math.max(lowY, 1e-7));
    double max = 0.6;
    chart.getStyler().setXAxisMin(NormalDeviate.probit(xMin));
    chart.getStyler().setXAxisMax(NormalDeviate.probit(max));
    chart.getStyler().setYAxisMin(NormalDeviate.probit(yMin));
    chart.getStyler().setYAxisMax(NormalDeviate.probit(max));
    // Ticks sit at deviate positions chosen by the library; grid lines with percent labels at the
    // customary rates make the axes readable instead.
    chart.getStyler().setAxisTicksVisible(false);
    chart.getStyler().setPlotGridLinesVisible(false);
    Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
    chart.getStyler().setAnnotationTextFont(small);
    chart.getStyler().setAnnotationTextFontColor(Color.DARK_GRAY);
    chart.getStyler().setAnnotationLineColor(new Color(220, 220, 220));
    chart.getStyler().setAnnotationLineStroke(new BasicStroke(0.8f));
    double xLab = NormalDeviate.probit(yMin) + 0.12;
    double yLab = NormalDeviate.probit(xMin) + 0.25;
    for (double g : GRID) {
      if (g >= xMin && g <= max) {
        chart.addAnnotation(new AnnotationLine(NormalDeviate.probit(g), true, false));
        chart.addAnnotation(new AnnotationText(label(g), NormalDeviate.probit(g), xLab, false));
      }
      if (g >= yMin && g <= max) {
        chart.addAnnotation(new AnnotationLine(NormalDeviate.probit(g), false, false));
        chart.addAnnotation(new AnnotationText(label(g), yLab, NormalDeviate.probit(g), false));
      }
    }
    double d0 = NormalDeviate.probit(Math.min(xMin, yMin));
    double d1 = NormalDeviate.probit(max);
    XYSeries diag = chart.addSeries("FRR = FAR", new double[] {d0, d1}, new double[] {d0, d1});
    diag.setMarker(SeriesMarkers.NONE);
    diag.setLineColor(Color.GRAY);
    diag.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
    for (int k = 0; k < systems.size(); k++) {
      double[][] xy = pts.get(k);
      double[] x = new double[Math.max(1, xy.length)];
      double[] y = new double[x.length];
      if (xy.length == 0) {
        // a perfect system has no point inside (0, 1) x (0, 1): draw it at the corner
        x[0] = NormalDeviate.probit(xMin);
        y[0] = NormalDeviate.probit(yMin);
      }
      for (int i = 0; i < xy.length; i++) {
        x[i] = NormalDeviate.probit(xy[i][0]);
        y[i] = NormalDeviate.probit(xy[i][1]);
      }
      XYSeries s = chart.addSeries(uniqueName(chart, systems.get(k).name()), x, y);
      s.setLineColor(systemColor(k));
      s.setMarker(SeriesMarkers.NONE);
      s.setLineWidth(1.6f);
    }
    return chart;
  }

  /** Writes {@code base}.png and {@code base}.svg. */
  public static void save(XYChart chart, Path dir, String base) throws IOException {
    AtomicFiles.write(dir.resolve(base + ".png"), out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    AtomicFiles.write(dir.resolve(base + ".svg"), out -> VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG));
  }

  private static void style(XYChart chart) {
    Styler s = chart.getStyler();
    s.setLegendPosition(Styler.LegendPosition.InsideNE);
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setLegendBorderColor(Color.LIGHT_GRAY);
    chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
    chart.getStyler().setAntiAlias(true);
  }

  private static String uniqueName(XYChart chart, String name) {
    String n = name;
    int k = 2;
    while (chart.getSeriesMap().containsKey(n)) {
      n = name + " (" + k++ + ")";
    }
    return n;
  }

  private static double snapDown(double p) {
    double best = GRID[0];
    for (double g : GRID) {
      if (g <= p) {
        best = g;
      }
    }
    return best;
  }

  private static String label(double p) {
    return new java.math.BigDecimal(Double.toString(p)).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
  }

  /** One colour per system, the same in the ROC and the DET plot (colour-blind safe, Okabe-Ito). */
  private static Color systemColor(int index) {
    Color[] palette = {
      new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(204, 121, 167),
      new Color(230, 159, 0), new Color(86, 180, 233), new Color(240, 228, 66), Color.BLACK
    };
    return palette[Math.floorMod(index, palette.length)];
  }
}
