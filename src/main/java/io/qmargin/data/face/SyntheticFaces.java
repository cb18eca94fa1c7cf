package io.qmargin.data.face;

import io.qmargin.data.Seeds;
import java.util.SplittableRandom;

/**
 * Built-in synthetic identities so training runs anywhere, offline. <b>This exercises the pipeline;
 * it is not face data</b>: no result on it says anything about faces.
 *
 * <p>Identity {@code c} is a random pattern drawn from (seed, c): a two-colour gradient background,
 * 5 to 8 soft-edged coloured ellipses and a faint grating. Sample {@code j} of identity {@code c}
 * is a random view of it drawn from (seed, c, j): a pose-like affine warp (rotation up to 12
 * degrees, scale 0.9 to 1.1, horizontal squash as from a small yaw, shift up to 6% of the side),
 * illumination (brightness, contrast and a lighting gradient), Gaussian blur (sigma up to 1.2 px,
 * half the samples), pixel noise, and in 30% of samples an occluding rectangle. The view is fixed
 * per sample; the epoch only enters through the {@link Preprocessing} flip. Sample index i is
 * identity i / samplesPerIdentity, view i % samplesPerIdentity. Images are rendered directly at the
 * preprocessing output size (crop settings do not apply).
 */
public final class SyntheticFaces implements FaceDataset {
  private static final int MAX_SHAPES = 8;

  private final int firstIdentity;
  private final int identities;
  private final int samplesPerIdentity;
  private final Preprocessing preprocessing;

  public SyntheticFaces(int identities, int samplesPerIdentity, Preprocessing preprocessing) {
    this(0, identities, samplesPerIdentity, preprocessing);
  }

  /**
   * Identities {@code firstIdentity .. firstIdentity + identities - 1} of the seed's population,
   * labelled 0..identities-1: a set of identities disjoint from another starting elsewhere
   * (held-out identities for validation).
   */
  public SyntheticFaces(
      int firstIdentity, int identities, int samplesPerIdentity, Preprocessing preprocessing) {
    if (firstIdentity < 0) {
      throw new IllegalArgumentException("first identity must be >= 0, got " + firstIdentity);
    }
    this.firstIdentity = firstIdentity;
    if (identities < 1
        || samplesPerIdentity < 1
        || (long) identities * samplesPerIdentity > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "need identities >= 1 and samples per identity >= 1 (at most 2^31 - 1 samples), got "
              + identities
              + " x "
              + samplesPerIdentity);
    }
    this.identities = identities;
    this.samplesPerIdentity = samplesPerIdentity;
    this.preprocessing = preprocessing;
  }

  public int samplesPerIdentity() {
    return samplesPerIdentity;
  }

  @Override
  public int size() {
    return identities * samplesPerIdentity;
  }

  @Override
  public int numClasses() {
    return identities;
  }

  @Override
  public int label(int index) {
    return index / samplesPerIdentity;
  }

  @Override
  public String source(int index) {
    return "synthetic:" + (firstIdentity + label(index)) + "/" + (index % samplesPerIdentity);
  }

  @Override
  public FaceImage load(int index, long epoch) {
    if (index < 0 || index >= size()) {
      throw new IndexOutOfBoundsException("sample " + index + " of " + size());
    }
    int identity = label(index);
    float[] chw =
        render(
            firstIdentity + identity,
            index % samplesPerIdentity,
            preprocessing.flips(epoch, index));
    return new FaceImage(
        chw, preprocessing.outputHeight(), preprocessing.outputWidth(), identity, source(index));
  }

  /** View {@code sample} of {@code identity} as CHW floats in [-1, 1]. */
  public float[] render(int identity, int sample, boolean flip) {
    int h = preprocessing.outputHeight();
    int w = preprocessing.outputWidth();
    Pattern pattern =
        new Pattern(new SplittableRandom(Seeds.mix(preprocessing.seed(), identity, -0x51a7L)));
    SplittableRandom rnd =
        new SplittableRandom(Seeds.mix(preprocessing.seed() ^ 0x5eed5eedL, identity, sample));
    int plane = h * w;
    float[] img = new float[3 * plane];

    // Pose-like warp: output pixel -> pattern coordinate in [0,1]^2 through the inverse map.
    double angle = Math.toRadians(rnd.nextDouble(-12, 12));
    double scale = rnd.nextDouble(0.9, 1.1);
    double squash = rnd.nextDouble(0.85, 1.0);
    double shiftX = rnd.nextDouble(-0.06, 0.06);
    double shiftY = rnd.nextDouble(-0.06, 0.06);
    double cos = Math.cos(angle) / scale;
    double sin = Math.sin(angle) / scale;
    // Illumination: contrast around mid-grey, brightness, a linear lighting gradient.
    float contrast = (float) rnd.nextDouble(0.75, 1.25);
    float brightness = (float) rnd.nextDouble(-0.12, 0.12);
    double lightAngle = rnd.nextDouble(0, 2 * Math.PI);
    float lightX = (float) (Math.cos(lightAngle) * rnd.nextDouble(0, 0.25));
    float lightY = (float) (Math.sin(lightAngle) * rnd.nextDouble(0, 0.25));
    float[] rgb = new float[3];
    double[] pxs = new double[w];
    for (int x = 0; x < w; x++) {
      pxs[x] = ((x + 0.5) / w - 0.5 - shiftX) / squash;
    }
    for (int y = 0; y < h; y++) {
      double py = (y + 0.5) / h - 0.5 - shiftY;
      for (int x = 0; x < w; x++) {
        double px = pxs[x];
        double u = 0.5 + cos * px + sin * py;
        double v = 0.5 - sin * px + cos * py;
        pattern.colour(u, v, rgb);
        float light =
            brightness + lightX * (x / (float) w - 0.5f) + lightY * (y / (float) h - 0.5f);
        int o = y * w + x;
        img[o] = (rgb[0] - 0.5f) * contrast + 0.5f + light;
        img[plane + o] = (rgb[1] - 0.5f) * contrast + 0.5f + light;
        img[2 * plane + o] = (rgb[2] - 0.5f) * contrast + 0.5f + light;
      }
    }
    if (rnd.nextBoolean()) {
      gaussianBlur(img, h, w, rnd.nextDouble(0.3, 1.2));
    }
    if (rnd.nextDouble() < 0.3) {
      occlude(img, h, w, rnd);
    }
    // Noise: a triangular distribution from two 16-bit uniforms (a Gaussian per pixel costs more
    // than the rest of the rendering, and its shape does not matter here). Done in place, like the
    // flip: a second 150 KB array per image showed up as a quarter of the rendering time.
    float noise = (float) rnd.nextDouble(0.0, 0.05);
    for (int i = 0; i < img.length; i += 2) {
      long bits = rnd.nextLong();
      for (int k = 0; k < 2 && i + k < img.length; k++) {
        int a = (int) (bits & 0xffff);
        int b = (int) ((bits >>> 16) & 0xffff);
        bits >>>= 32;
        float val = img[i + k] + noise * ((a + b) / 65535f - 1f);
        img[i + k] = 2 * (val < 0 ? 0 : (val > 1 ? 1 : val)) - 1;
      }
    }
    if (flip) {
      for (int row = 0; row < 3 * h; row++) {
        for (int l = row * w, r = l + w - 1; l < r; l++, r--) {
          float t = img[l];
          img[l] = img[r];
          img[r] = t;
        }
      }
    }
    return img;
  }

  private static void occlude(float[] img, int h, int w, SplittableRandom rnd) {
    int plane = h * w;
    int rh = (int) (h * rnd.nextDouble(0.15, 0.35));
    int rw = (int) (w * rnd.nextDouble(0.15, 0.35));
    int y0 = rnd.nextInt(h - rh + 1);
    int x0 = rnd.nextInt(w - rw + 1);
    float r = (float) rnd.nextDouble();
    float g = (float) rnd.nextDouble();
    float b = (float) rnd.nextDouble();
    for (int y = y0; y < y0 + rh; y++) {
      for (int x = x0; x < x0 + rw; x++) {
        int o = y * w + x;
        img[o] = r;
        img[plane + o] = g;
        img[2 * plane + o] = b;
      }
    }
  }

  /**
   * Separable Gaussian blur of each plane, edges replicated. Written as whole-row operations (a
   * padded copy of the row, then row-times-weight accumulations) so the JIT vectorises the inner
   * loops; a per-tap clamp would cost more than the rest of the rendering.
   */
  private static void gaussianBlur(float[] img, int h, int w, double sigma) {
    int radius = (int) Math.ceil(2 * sigma);
    float[] k = new float[2 * radius + 1];
    double sum = 0;
    for (int i = -radius; i <= radius; i++) {
      k[i + radius] = (float) Math.exp(-i * i / (2 * sigma * sigma));
      sum += k[i + radius];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= (float) sum;
    }
    int plane = h * w;
    float[] padded = new float[w + 2 * radius];
    float[] tmp = new float[plane];
    for (int c = 0; c < 3; c++) {
      int base = c * plane;
      for (int y = 0; y < h; y++) {
        int row = base + y * w;
        System.arraycopy(img, row, padded, radius, w);
        java.util.Arrays.fill(padded, 0, radius, img[row]);
        java.util.Arrays.fill(padded, radius + w, w + 2 * radius, img[row + w - 1]);
        int o = y * w;
        for (int x = 0; x < w; x++) {
          tmp[o + x] = 0;
        }
        for (int t = 0; t < k.length; t++) {
          float kt = k[t];
          for (int x = 0; x < w; x++) {
            tmp[o + x] += kt * padded[x + t];
          }
        }
      }
      for (int y = 0; y < h; y++) {
        int o = base + y * w;
        for (int x = 0; x < w; x++) {
          img[o + x] = 0;
        }
        for (int t = -radius; t <= radius; t++) {
          float kt = k[t + radius];
          int src = Math.min(h - 1, Math.max(0, y + t)) * w;
          for (int x = 0; x < w; x++) {
            img[o + x] += kt * tmp[src + x];
          }
        }
      }
    }
  }

  /** The canonical look of one identity, evaluated at pattern coordinates (u, v) in [0,1]^2. */
  private static final class Pattern {
    final float[] bg0 = new float[3];
    final float[] bg1 = new float[3];
    final double gradX;
    final double gradY;
    final int shapes;
    final double[] cx = new double[MAX_SHAPES];
    final double[] cy = new double[MAX_SHAPES];
    final double[] cosA = new double[MAX_SHAPES];
    final double[] sinA = new double[MAX_SHAPES];
    final double[] invA2 = new double[MAX_SHAPES];
    final double[] invB2 = new double[MAX_SHAPES];
    final double[] reach = new double[MAX_SHAPES];
    final float[][] colour = new float[MAX_SHAPES][3];
    final double gratingFx;
    final double gratingFy;
    final double gratingPhase;
    final float[] gratingColour = new float[3];

    Pattern(SplittableRandom r) {
      for (int c = 0; c < 3; c++) {
        bg0[c] = (float) r.nextDouble();
        bg1[c] = (float) r.nextDouble();
        gratingColour[c] = (float) r.nextDouble(-0.12, 0.12);
      }
      double g = r.nextDouble(0, 2 * Math.PI);
      gradX = Math.cos(g);
      gradY = Math.sin(g);
      shapes = 5 + r.nextInt(MAX_SHAPES - 4);
      for (int s = 0; s < shapes; s++) {
        cx[s] = r.nextDouble(0.15, 0.85);
        cy[s] = r.nextDouble(0.15, 0.85);
        double a = r.nextDouble(0.06, 0.28);
        double b = r.nextDouble(0.06, 0.28);
        double t = r.nextDouble(0, Math.PI);
        cosA[s] = Math.cos(t);
        sinA[s] = Math.sin(t);
        invA2[s] = 1 / (a * a);
        invB2[s] = 1 / (b * b);
        reach[s] = Math.max(a, b);
        for (int c = 0; c < 3; c++) {
          colour[s][c] = (float) r.nextDouble();
        }
      }
      double gf = r.nextDouble(3, 9);
      double ga = r.nextDouble(0, Math.PI);
      gratingFx = gf * Math.cos(ga);
      gratingFy = gf * Math.sin(ga);
      gratingPhase = r.nextDouble();
    }

    void colour(double u, double v, float[] out) {
      float t =
          (float) Math.min(1, Math.max(0, 0.5 + 0.7 * ((u - 0.5) * gradX + (v - 0.5) * gradY)));
      // A triangle wave in [-1, 1] (cheaper than a sine, same role).
      // The offset keeps the phase positive for |u|, |v| < 3, so a cast is the floor.
      double phase = u * gratingFx + v * gratingFy + gratingPhase + 32;
      float tri = (float) (4 * Math.abs(phase - (long) phase - 0.5) - 1);
      float r = bg0[0] + t * (bg1[0] - bg0[0]) + tri * gratingColour[0];
      float g = bg0[1] + t * (bg1[1] - bg0[1]) + tri * gratingColour[1];
      float b = bg0[2] + t * (bg1[2] - bg0[2]) + tri * gratingColour[2];
      for (int s = 0; s < shapes; s++) {
        double dx = u - cx[s];
        double dy = v - cy[s];
        if (Math.abs(dx) >= reach[s] || Math.abs(dy) >= reach[s]) {
          continue; // outside the bounding square: most pixels for most shapes
        }
        double ex = dx * cosA[s] + dy * sinA[s];
        double ey = -dx * sinA[s] + dy * cosA[s];
        double d = ex * ex * invA2[s] + ey * ey * invB2[s];
        if (d < 1) {
          // Soft edge: full colour inside d < 0.8, fading to the background at d = 1.
          float alpha = (float) Math.min(1, (1 - d) * 5);
          r += alpha * (colour[s][0] - r);
          g += alpha * (colour[s][1] - g);
          b += alpha * (colour[s][2] - b);
        }
      }
      out[0] = r;
      out[1] = g;
      out[2] = b;
    }
  }
}
