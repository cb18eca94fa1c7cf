package io.qmargin.audio;

import java.util.Locale;

/**
 * Analysis windows of Kaldi's {@code --window-type}, for frame length N and a = 2 pi / (N - 1):
 * hanning 0.5 - 0.5 cos(a n); hamming 0.54 - 0.46 cos(a n); povey (0.5 - 0.5 cos(a n))^0.85
 * (Kaldi's default: like Hamming but reaching zero at the edges); rectangular 1; blackman b - 0.5
 * cos(a n) + (0.5 - b) cos(2 a n) with b = {@code blackman_coeff}; sine sin(a n / 2). All are
 * symmetric (periodic = false in torch terms).
 */
public enum WindowType {
  HANNING,
  HAMMING,
  POVEY,
  RECTANGULAR,
  BLACKMAN,
  SINE;

  /** Kaldi's spelling of the name, e.g. {@code povey}. */
  public String kaldiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses Kaldi's spelling (case-insensitive). */
  public static WindowType parse(String name) {
    for (WindowType w : values()) {
      if (w.kaldiName().equalsIgnoreCase(name.trim())) {
        return w;
      }
    }
    throw new IllegalArgumentException(
        "invalid window type '"
            + name
            + "' (expected hanning, hamming, povey, rectangular, blackman or sine)");
  }

  /** The window of {@code length} samples; {@code blackmanCoeff} is used by BLACKMAN only. */
  public double[] coefficients(int length, double blackmanCoeff) {
    double[] w = new double[length];
    double a = 2 * Math.PI / (length - 1);
    for (int i = 0; i < length; i++) {
      double c = Math.cos(a * i);
      w[i] =
          switch (this) {
            case HANNING -> 0.5 - 0.5 * c;
            case HAMMING -> 0.54 - 0.46 * c;
            case POVEY -> Math.pow(0.5 - 0.5 * c, 0.85);
            case RECTANGULAR -> 1.0;
            case BLACKMAN -> blackmanCoeff - 0.5 * c + (0.5 - blackmanCoeff) * Math.cos(2 * a * i);
            case SINE -> Math.sin(0.5 * a * i);
          };
    }
    return w;
  }
}
