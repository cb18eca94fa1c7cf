package io.qmargin.data.face;

import io.qmargin.data.Seeds;
import java.util.SplittableRandom;

/**
 * How a decoded image becomes a network input: a centred square crop of {@code cropSize} pixels (0,
 * or larger than the image: no crop), a resize to {@code outputHeight x outputWidth} (bilinear,
 * widened to a triangle filter over the source footprint when shrinking, like PIL's antialiased
 * bilinear), a horizontal flip with probability {@code flipProbability}, and the scaling of 8-bit
 * values v to v / 127.5 - 1, i.e. [-1, 1] (insightface's Normalize(0.5, 0.5)).
 *
 * <p>The random choices for sample {@code index} in {@code epoch} come from a generator seeded by
 * (seed, epoch, index) alone, so they do not depend on thread scheduling or on where a resumed run
 * starts.
 *
 * <p>Defaults: {@link #insightface()} for aligned 112x112 crops (RecordIO, .bin); {@link
 * #lfwDeepFunneled()} for LFW deep-funneled 250x250 images, whose face spans roughly the central
 * 150 pixels.
 */
public record Preprocessing(
    int cropSize, int outputHeight, int outputWidth, double flipProbability, long seed) {

  public static final int LFW_DEEP_FUNNELED_CROP = 150;

  public Preprocessing {
    if (cropSize < 0 || outputHeight < 1 || outputWidth < 1) {
      throw new IllegalArgumentException(
          "crop size must be >= 0 and output size positive, got crop "
              + cropSize
              + ", output "
              + outputHeight
              + "x"
              + outputWidth);
    }
    if (!(flipProbability >= 0 && flipProbability <= 1)) {
      throw new IllegalArgumentException(
          "flip probability must be in [0, 1], got " + flipProbability);
    }
  }

  /** Aligned 112x112 faces: no crop, random flip with probability 0.5, seed 0. */
  public static Preprocessing insightface() {
    return new Preprocessing(0, 112, 112, 0.5, 0);
  }

  /** LFW deep-funneled 250x250: centre crop 150, resize to 112x112, random flip 0.5, seed 0. */
  public static Preprocessing lfwDeepFunneled() {
    return new Preprocessing(LFW_DEEP_FUNNELED_CROP, 112, 112, 0.5, 0);
  }

  public Preprocessing withSeed(long newSeed) {
    return new Preprocessing(cropSize, outputHeight, outputWidth, flipProbability, newSeed);
  }

  public Preprocessing withFlipProbability(double p) {
    return new Preprocessing(cropSize, outputHeight, outputWidth, p, seed);
  }

  /** The same geometry without random augmentation, for evaluation. */
  public Preprocessing deterministic() {
    return withFlipProbability(0);
  }

  /** The generator for the random choices of sample {@code index} in {@code epoch}. */
  public SplittableRandom random(long epoch, long index) {
    return new SplittableRandom(Seeds.mix(seed, epoch, index));
  }

  /** Whether sample {@code index} is flipped in {@code epoch}. */
  public boolean flips(long epoch, long index) {
    return flipProbability > 0 && random(epoch, index).nextDouble() < flipProbability;
  }

  /** Crop, resize, random flip and normalisation of sample {@code index} in {@code epoch}. */
  public float[] apply(RgbImage image, long epoch, long index) {
    return apply(image, flips(epoch, index));
  }

  /** Crop, resize, the given flip and normalisation: CHW floats in [-1, 1]. */
  public float[] apply(RgbImage image, boolean flip) {
    int cw = cropSize == 0 ? image.width() : Math.min(cropSize, image.width());
    int ch = cropSize == 0 ? image.height() : Math.min(cropSize, image.height());
    int x0 = (image.width() - cw) / 2;
    int y0 = (image.height() - ch) / 2;
    int oh = outputHeight;
    int ow = outputWidth;
    int plane = oh * ow;
    float[] out = new float[3 * plane];
    int[] src = image.rgb();
    int stride = image.width();
    if (cw == ow && ch == oh) {
      for (int y = 0; y < oh; y++) {
        int row = (y0 + y) * stride + x0;
        for (int x = 0; x < ow; x++) {
          int p = src[row + x];
          int o = y * ow + (flip ? ow - 1 - x : x);
          out[o] = ((p >>> 16) & 0xff) / 127.5f - 1f;
          out[plane + o] = ((p >>> 8) & 0xff) / 127.5f - 1f;
          out[2 * plane + o] = (p & 0xff) / 127.5f - 1f;
        }
      }
      return out;
    }
    Taps xs = Taps.of(cw, ow);
    Taps ys = Taps.of(ch, oh);
    // Horizontal pass over the crop's rows into 3 planes of ch x ow, then vertical into oh x ow.
    float[] mid = new float[3 * ch * ow];
    int midPlane = ch * ow;
    for (int y = 0; y < ch; y++) {
      int row = (y0 + y) * stride + x0;
      for (int x = 0; x < ow; x++) {
        float r = 0, g = 0, b = 0;
        for (int t = xs.begin[x]; t < xs.begin[x + 1]; t++) {
          int p = src[row + xs.index[t]];
          float wgt = xs.weight[t];
          r += wgt * ((p >>> 16) & 0xff);
          g += wgt * ((p >>> 8) & 0xff);
          b += wgt * (p & 0xff);
        }
        int m = y * ow + x;
        mid[m] = r;
        mid[midPlane + m] = g;
        mid[2 * midPlane + m] = b;
      }
    }
    for (int c = 0; c < 3; c++) {
      int mBase = c * midPlane;
      int oBase = c * plane;
      for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
          float v = 0;
          for (int t = ys.begin[y]; t < ys.begin[y + 1]; t++) {
            v += ys.weight[t] * mid[mBase + ys.index[t] * ow + x];
          }
          // Clamped: float rounding of the filter weights can overshoot 255 by a hair.
          out[oBase + y * ow + (flip ? ow - 1 - x : x)] =
              Math.max(-1f, Math.min(1f, v / 127.5f - 1f));
        }
      }
    }
    return out;
  }

  /** Filter taps of a 1-D resize: output i reads index[begin[i]..begin[i+1]) with weight[...]. */
  private record Taps(int[] begin, int[] index, float[] weight) {
    static Taps of(int in, int out) {
      double scale = (double) in / out;
      double radius = Math.max(1.0, scale);
      int maxTaps = (int) Math.ceil(radius) * 2 + 1;
      int[] begin = new int[out + 1];
      int[] index = new int[out * maxTaps];
      float[] weight = new float[out * maxTaps];
      int n = 0;
      for (int o = 0; o < out; o++) {
        begin[o] = n;
        double centre = (o + 0.5) * scale - 0.5;
        int lo = (int) Math.ceil(centre - radius);
        int hi = (int) Math.floor(centre + radius);
        double sum = 0;
        int first = n;
        for (int i = lo; i <= hi; i++) {
          double w = 1 - Math.abs(i - centre) / radius;
          if (w <= 0) {
            continue;
          }
          index[n] = Math.max(0, Math.min(in - 1, i)); // edges replicate
          weight[n] = (float) w;
          sum += w;
          n++;
        }
        for (int t = first; t < n; t++) {
          weight[t] = (float) (weight[t] / sum);
        }
      }
      begin[out] = n;
      return new Taps(begin, index, weight);
    }
  }
}
