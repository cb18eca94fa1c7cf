package io.qmargin.eval.report;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import io.qmargin.eval.metrics.DetCurve;
import io.qmargin.eval.metrics.NormalDeviate;
import io.qmargin.eval.metrics.RocCurve;
import io.qmargin.io.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * ROC and DET plots of one or several systems (see {@link Figure}), as PNG and SVG.
 *
 * <ul>
 *   <li>DET: miss rate against false accept rate, both on normal-deviate (probit) axes, over the
 *       fixed range 0.01% to 50%; an axis starts lower when its rate can be lower: the false accept
 *       axis at 1/impostors, the miss axis at 1/targets (the largest count over the systems),
 *       rounded down to 1, 2 or 5 times a power of ten. Ticks at 1, 2 and 5 times powers of ten,
 *       labelled in percent and thinned where labels would touch (decades first). The dashed
 *       diagonal is P_miss = P_fa, which a curve crosses at its EER. Points with a rate of 0 or 1
 *       have no deviate and are left out; the parts of a curve beyond 50% are cut off at the frame.
 *   <li>ROC: TAR (percent, linear) against FAR on a log10 axis from the power of ten at or below
 *       1/impostors to 1, a tick at every power of ten labelled 10^k. Points with FAR = 0 cannot be
 *       drawn on it and are left out.
 * </ul>
 */
public final class Plots {
  private Plots() {}

  /** One curve to draw. */
  public record Series(String name, RocCurve roc) {}

  /** The upper end of both DET axes. */
  static final double DET_MAX = 0.5;

  /** The lower end of a DET axis unless 1/count is lower. */
  static final double DET_MIN = 1e-4;

  // Smallest distance between tick labels, in pixels: the width of "0.0005%" on the x axis, a line
  // on the y axis.
  private static final double X_LABEL_GAP = 56;
  private static final double Y_LABEL_GAP = 22;
  private static final Color DIAGONAL = new Color(130, 130, 130);

  public static Figure detChart(List<Series> systems, String title) {
    double xLow =
        detLowerBound(systems.stream().mapToLong(s -> s.roc().nontargets()).max().orElse(1));
    double yLow = detLowerBound(systems.stream().mapToLong(s -> s.roc().targets()).max().orElse(1));
    Figure.Axis x =
        detAxis(
            "False accept rate (%, normal deviate scale)", xLow, X_LABEL_GAP / Figure.PLOT_WIDTH);
    Figure.Axis y =
        detAxis("Miss rate (%, normal deviate scale)", yLow, Y_LABEL_GAP / Figure.PLOT_HEIGHT);
    List<Figure.Curve> curves = new ArrayList<>();
    double d0 = NormalDeviate.probit(Math.min(xLow, yLow));
    double d1 = NormalDeviate.probit(DET_MAX);
    curves.add(
        new Figure.Curve(
            "miss rate = false accept rate (EER)",
            DIAGONAL,
            true,
            new double[] {d0, d1},
            new double[] {d0, d1}));
    for (int k = 0; k < systems.size(); k++) {
      DetCurve d = systems.get(k).roc().det();
      double[] px = d.pFaDeviates();
      double[] py = d.pMissDeviates();
      boolean any = false;
      for (int i = 0; i < px.length; i++) {
        any |= Double.isFinite(px[i]) && Double.isFinite(py[i]);
      }
      String label =
          systems.get(k).name()
              + (any ? "" : " (nothing to draw: no point with both error rates above 0)");
      curves.add(
          new Figure.Curve(
              label, systemColor(k), false, dropUndrawable(px, py), dropUndrawable(py, px)));
    }
    return new Figure(title, x, y, curves);
  }

  public static Figure rocChart(List<Series> systems, String title) {
    long impostors = systems.stream().mapToLong(s -> s.roc().nontargets()).max().orElse(1);
    int decades = 1;
    for (long p = 10; p < impostors; p *= 10) {
      decades++;
    }
    List<Figure.Tick> xt = new ArrayList<>();
    for (int e = -decades; e <= 0; e++) {
      xt.add(new Figure.Tick(e, powerOfTen(e)));
    }
    List<Figure.Tick> yt = new ArrayList<>();
    for (int k = 0; k <= 10; k++) {
      yt.add(new Figure.Tick(k / 10.0, (k * 10) + "%"));
    }
    Figure.Axis x = new Figure.Axis("False accept rate (log scale)", -decades, 0, xt);
    Figure.Axis y = new Figure.Axis("True accept rate (%)", 0, 1, yt);
    List<Figure.Curve> curves = new ArrayList<>();
    for (int k = 0; k < systems.size(); k++) {
      RocCurve r = systems.get(k).roc();
      List<double[]> pts = new ArrayList<>();
      for (int i = 0; i < r.size(); i++) {
        if (r.falseAccepts()[i] > 0) {
          pts.add(new double[] {Math.log10(r.far(i)), r.tar(i)});
        }
      }
      curves.add(
          new Figure.Curve(
              systems.get(k).name(),
              systemColor(k),
              false,
              pts.stream().mapToDouble(p -> p[0]).toArray(),
              pts.stream().mapToDouble(p -> p[1]).toArray()));
    }
    return new Figure(title, x, y, curves);
  }

  /**
   * The lower end of a DET axis whose rates are counts out of {@code count}: {@link #DET_MIN}, or
   * 1/count rounded down to 1, 2 or 5 times a power of ten when that is lower.
   */
  static double detLowerBound(long count) {
    double r = 1.0 / count;
    if (r >= DET_MIN) {
      return DET_MIN;
    }
    for (int e = (int) Math.floor(Math.log10(r)) + 1; ; e--) {
      for (int m : new int[] {5, 2, 1}) {
        double v = decimal(m, e);
        if (v <= r) {
          return v;
        }
      }
    }
  }

  /**
   * Tick rates of a DET axis from {@code low} to {@link #DET_MAX}: 1, 2 and 5 times powers of ten,
   * at least {@code minGap} apart in deviates. Chosen greedily in the order 50%, the powers of ten
   * from the top, the lower end, then the fives and the twos.
   */
  static List<Double> detTicks(double low, double minGap) {
    List<Double> candidates = new ArrayList<>();
    candidates.add(DET_MAX);
    int top = (int) Math.floor(Math.log10(DET_MAX));
    int bottom = (int) Math.floor(Math.log10(low)) - 1;
    for (int e = top; e >= bottom; e--) {
      candidates.add(decimal(1, e));
    }
    candidates.add(low);
    for (int m : new int[] {5, 2}) {
      for (int e = top; e >= bottom; e--) {
        candidates.add(decimal(m, e));
      }
    }
    List<Double> ticks = new ArrayList<>();
    for (double c : candidates) {
      if (c < low || c > DET_MAX || ticks.contains(c)) {
        continue;
      }
      double dc = NormalDeviate.probit(c);
      if (ticks.stream().allMatch(t -> Math.abs(NormalDeviate.probit(t) - dc) >= minGap)) {
        ticks.add(c);
      }
    }
    ticks.sort(Comparator.naturalOrder());
    return ticks;
  }

  /** Writes {@code base}.png and {@code base}.svg. */
  public static void save(Figure figure, Path dir, String base) throws IOException {
    Figure.Layout l = figure.layout();
    AtomicFiles.write(
        dir.resolve(base + ".png"),
        out -> {
          BufferedImage img = new BufferedImage(l.width(), l.height(), BufferedImage.TYPE_INT_RGB);
          Graphics2D g = img.createGraphics();
          try {
            figure.paint(g);
          } finally {
            g.dispose();
          }
          ImageIO.write(img, "png", out);
        });
    AtomicFiles.write(
        dir.resolve(base + ".svg"),
        out -> {
          VectorGraphics2D g = new VectorGraphics2D();
          figure.paint(g);
          new SVGProcessor()
              .getDocument(g.getCommands(), new PageSize(0, 0, l.width(), l.height()))
              .writeTo(out);
        });
  }

  /**
   * The axis in deviates from probit(low) to probit(50%), ticks at least {@code gapFraction} of its
   * length apart.
   */
  private static Figure.Axis detAxis(String title, double low, double gapFraction) {
    double lo = NormalDeviate.probit(low);
    double hi = NormalDeviate.probit(DET_MAX);
    List<Figure.Tick> ticks = new ArrayList<>();
    for (double t : detTicks(low, gapFraction * (hi - lo))) {
      ticks.add(new Figure.Tick(NormalDeviate.probit(t), percent(t)));
    }
    return new Figure.Axis(title, lo, hi, ticks);
  }

  /**
   * The coordinates a[i] where both a[i] and b[i] are finite (a point with a deviate on both axes).
   */
  private static double[] dropUndrawable(double[] a, double[] b) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < a.length; i++) {
      if (Double.isFinite(a[i]) && Double.isFinite(b[i])) {
        out.add(a[i]);
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double decimal(int mantissa, int exponent) {
    return BigDecimal.valueOf(mantissa).scaleByPowerOfTen(exponent).doubleValue();
  }

  /** A rate as an exact percentage, e.g. "0.01%", "0.5%", "50%". */
  static String percent(double rate) {
    return new BigDecimal(Double.toString(rate))
            .movePointRight(2)
            .stripTrailingZeros()
            .toPlainString()
        + "%";
  }

  /** 10^e with superscript digits, e.g. "10⁻⁴", "10⁰". */
  static String powerOfTen(int e) {
    String sup = "⁰¹²³⁴⁵⁶⁷⁸⁹";
    StringBuilder sb = new StringBuilder("10");
    if (e < 0) {
      sb.append('⁻');
    }
    for (char c : Integer.toString(Math.abs(e)).toCharArray()) {
      sb.append(sup.charAt(c - '0'));
    }
    return sb.toString();
  }

  /** One colour per system, the same in the ROC and the DET plot (colour-blind safe, Okabe-Ito). */
  private static Color systemColor(int index) {
    Color[] palette = {
      new Color(0, 114, 178),
      new Color(213, 94, 0),
      new Color(0, 158, 115),
      new Color(204, 121, 167),
      new Color(230, 159, 0),
      new Color(86, 180, 233),
      new Color(240, 228, 66),
      Color.BLACK
    };
    return palette[Math.floorMod(index, palette.length)];
  }
}
