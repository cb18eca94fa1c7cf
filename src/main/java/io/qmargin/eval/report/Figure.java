package io.qmargin.eval.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.util.List;

/**
 * A line plot drawn directly on a Graphics2D, so that PNG and SVG look the same: a frame around the
 * plot area, grid lines at the ticks, tick marks and labels outside the frame, curves cut at the
 * frame (drawn over it, so that a curve along an edge stays visible), and the legend below the axis
 * title, outside the plot area (one row per curve).
 *
 * <p>Coordinates are plot coordinates (e.g. normal deviates or log10 rates); each axis maps its
 * [min, max] linearly onto the frame. The canvas grows downwards with the number of legend rows.
 *
 * @param title drawn above the frame
 * @param x the horizontal axis
 * @param y the vertical axis
 * @param curves drawn in order, the later on top
 */
public record Figure(String title, Axis x, Axis y, List<Curve> curves) {

  /**
   * One axis.
   *
   * @param title drawn beside the tick labels
   * @param min plot coordinate at the left / bottom edge of the frame
   * @param max plot coordinate at the right / top edge
   * @param ticks grid lines with labels, each within [min, max]
   */
  public record Axis(String title, double min, double max, List<Tick> ticks) {
    public Axis {
      if (!(min < max)) {
        throw new IllegalArgumentException("empty axis range [" + min + ", " + max + "]");
      }
      ticks = List.copyOf(ticks);
    }
  }

  /** A grid line at plot coordinate {@code at} with its label. */
  public record Tick(double at, String label) {}

  /**
   * One curve: a polyline through (x[i], y[i]); non-finite points break the line.
   *
   * @param dashed drawn dashed and thin (a reference line such as the DET diagonal)
   */
  public record Curve(String label, Color color, boolean dashed, double[] x, double[] y) {}

  /** Where things go on the canvas, in pixels. */
  public record Layout(int width, int height, Rectangle plot, Rectangle legend) {}

  static final int PLOT_WIDTH = 600;
  static final int PLOT_HEIGHT = 500;
  private static final int LEFT = 96;
  private static final int RIGHT = 40;
  private static final int TOP = 44;
  private static final int TICK_LENGTH = 5;
  private static final int BELOW_PLOT = 58; // tick labels and the axis title
  private static final int LEGEND_ROW = 20;
  private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  private static final Font AXIS_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 15);
  private static final Color GRID = new Color(226, 226, 226);
  private static final Color INK = new Color(60, 60, 60);

  public Figure {
    curves = List.copyOf(curves);
  }

  public Layout layout() {
    Rectangle plot = new Rectangle(LEFT, TOP, PLOT_WIDTH, PLOT_HEIGHT);
    Rectangle legend =
        new Rectangle(
            LEFT, TOP + PLOT_HEIGHT + BELOW_PLOT, PLOT_WIDTH, curves.size() * LEGEND_ROW + 6);
    return new Layout(LEFT + PLOT_WIDTH + RIGHT, legend.y + legend.height + 8, plot, legend);
  }

  /** Horizontal pixel of plot coordinate v. */
  double screenX(double v) {
    return LEFT + (v - x.min()) / (x.max() - x.min()) * PLOT_WIDTH;
  }

  /** Vertical pixel of plot coordinate v (up is larger). */
  double screenY(double v) {
    return TOP + PLOT_HEIGHT - (v - y.min()) / (y.max() - y.min()) * PLOT_HEIGHT;
  }

  public void paint(Graphics2D g) {
    Layout l = layout();
    Rectangle p = l.plot();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, l.width(), l.height());

    g.setStroke(new BasicStroke(1f));
    g.setColor(GRID);
    for (Tick t : x.ticks()) {
      int px = (int) Math.round(screenX(t.at()));
      g.drawLine(px, p.y, px, p.y + p.height);
    }
    for (Tick t : y.ticks()) {
      int py = (int) Math.round(screenY(t.at()));
      g.drawLine(p.x, py, p.x + p.width, py);
    }

    g.setColor(INK);
    g.drawRect(p.x, p.y, p.width, p.height);

    // curves over the frame, cut a little outside it so that a curve along an edge (TAR 100%) stays
    // visible
    Shape clip = g.getClip();
    g.clip(new Rectangle(p.x - 2, p.y - 2, p.width + 4, p.height + 4));
    for (Curve c : curves) {
      g.setColor(c.color());
      g.setStroke(
          c.dashed()
              ? new BasicStroke(
                  1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f)
              : new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      g.draw(path(c));
    }
    g.setClip(clip);

    g.setColor(INK);
    g.setStroke(new BasicStroke(1f));
    g.setFont(TICK_FONT);
    FontMetrics fm = g.getFontMetrics();
    for (Tick t : x.ticks()) {
      int px = (int) Math.round(screenX(t.at()));
      g.drawLine(px, p.y + p.height, px, p.y + p.height + TICK_LENGTH);
      g.drawString(
          t.label(),
          px - fm.stringWidth(t.label()) / 2,
          p.y + p.height + TICK_LENGTH + 2 + fm.getAscent());
    }
    for (Tick t : y.ticks()) {
      int py = (int) Math.round(screenY(t.at()));
      g.drawLine(p.x - TICK_LENGTH, py, p.x, py);
      g.drawString(
          t.label(),
          p.x - TICK_LENGTH - 4 - fm.stringWidth(t.label()),
          py + fm.getAscent() / 2 - 1);
    }

    g.setFont(AXIS_FONT);
    fm = g.getFontMetrics();
    g.drawString(
        x.title(),
        p.x + (p.width - fm.stringWidth(x.title())) / 2,
        p.y + p.height + BELOW_PLOT - 12);
    AffineTransform saved = g.getTransform();
    g.translate(22, p.y + p.height / 2.0);
    g.rotate(-Math.PI / 2);
    g.drawString(y.title(), -fm.stringWidth(y.title()) / 2, 0);
    g.setTransform(saved);

    g.setFont(TITLE_FONT);
    fm = g.getFontMetrics();
    g.drawString(title, p.x + (p.width - fm.stringWidth(title)) / 2, TOP - 14);

    g.setFont(AXIS_FONT);
    fm = g.getFontMetrics();
    Rectangle lg = l.legend();
    for (int i = 0; i < curves.size(); i++) {
      Curve c = curves.get(i);
      int cy = lg.y + 6 + i * LEGEND_ROW + LEGEND_ROW / 2;
      g.setColor(c.color());
      g.setStroke(
          c.dashed()
              ? new BasicStroke(
                  1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f)
              : new BasicStroke(2.5f));
      g.drawLine(lg.x + 4, cy, lg.x + 34, cy);
      g.setColor(INK);
      g.drawString(c.label(), lg.x + 44, cy + fm.getAscent() / 2 - 1);
    }
  }

  private Path2D path(Curve c) {
    Path2D.Double path = new Path2D.Double();
    boolean pen = false;
    for (int i = 0; i < c.x().length; i++) {
      if (!Double.isFinite(c.x()[i]) || !Double.isFinite(c.y()[i])) {
        pen = false;
        continue;
      }
      double sx = screenX(c.x()[i]);
      double sy = screenY(c.y()[i]);
      if (pen) {
        path.lineTo(sx, sy);
      } else {
        path.moveTo(sx, sy);
        pen = true;
      }
    }
    return path;
  }
}
