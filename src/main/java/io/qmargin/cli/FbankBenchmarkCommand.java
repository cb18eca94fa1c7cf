package io.qmargin.cli;

import io.qmargin.audio.AudioReader;
import io.qmargin.audio.Fbank;
import io.qmargin.audio.FbankOptions;
import io.qmargin.audio.Waveform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code qmargin bench fbank}: feature-extraction speed in seconds of audio per second of wall
 * time, single-threaded, on synthetic speech-like audio or on the audio files under a folder.
 */
@Command(
    name = "fbank",
    mixinStandardHelpOptions = true,
    description =
        "Measures Kaldi-compatible fbank extraction speed (seconds of audio per second, one "
            + "thread). Default input: --seconds of synthetic speech-like audio at 16 kHz. With --input"
            + " DIR, the WAV/FLAC/Ogg files under DIR are decoded and resampled to 16 kHz first (timed "
            + "separately).")
public final class FbankBenchmarkCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--seconds",
      paramLabel = "S",
      description = "Synthetic audio length (default: ${DEFAULT-VALUE}).")
  double seconds = 600;

  @Option(
      names = "--input",
      paramLabel = "DIR",
      description = "Folder of audio files instead of synthetic audio.")
  Path input;

  @Option(
      names = "--max-files",
      paramLabel = "N",
      description = "At most N files from --input (default: ${DEFAULT-VALUE}).")
  int maxFiles = 3000;

  @Option(
      names = "--num-mel-bins",
      paramLabel = "N",
      description = "Mel bins (default: ${DEFAULT-VALUE}).")
  int numMelBins = 80;

  @Option(
      names = "--repeats",
      paramLabel = "R",
      description =
          "Timed repetitions after one warm-up; the best is reported (default: ${DEFAULT-VALUE}).")
  int repeats = 3;

  @Override
  public Integer call() throws IOException {
    FbankOptions options = FbankOptions.builder().numMelBins(numMelBins).build();
    int rate = (int) options.sampleFrequency();
    Fbank fbank = new Fbank(options);
    List<Waveform> waves = new ArrayList<>();
    if (input == null) {
      waves.add(syntheticSpeech(seconds, rate, 1234));
    } else {
      List<Path> files;
      try (Stream<Path> s = Files.walk(input)) {
        files =
            s.filter(Files::isRegularFile)
                .filter(p -> p.toString().toLowerCase(Locale.ROOT).matches(".*\\.(wav|flac|ogg)$"))
                .sorted()
                .limit(maxFiles)
                .toList();
      }
      if (files.isEmpty()) {
        throw new io.qmargin.UserInputException(input + ": no .wav, .flac or .ogg files");
      }
      long t0 = System.nanoTime();
      double nativeSeconds = 0;
      for (Path f : files) {
        Waveform w = AudioReader.read(f);
        nativeSeconds += w.durationSeconds();
        waves.add(io.qmargin.audio.Resampler.resample(w.toMono(), rate));
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "read+resample: %d files, %.1f s of audio in %.3f s = %.0f s/s%n",
              files.size(),
              nativeSeconds,
              wall,
              nativeSeconds / wall);
    }
    double audioSeconds = waves.stream().mapToDouble(Waveform::durationSeconds).sum();
    double best = Double.MAX_VALUE;
    long frames = 0;
    for (int r = 0; r <= repeats; r++) {
      long t0 = System.nanoTime();
      frames = 0;
      for (Waveform w : waves) {
        frames += fbank.compute(w).numFrames();
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      if (r > 0) {
        best = Math.min(best, wall);
      }
    }
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "fbank: %.1f s of audio (%d frames, %d bins) in %.3f s = %.0f s of audio per s (1 thread, best of %d)%n",
            audioSeconds,
            frames,
            numMelBins,
            best,
            audioSeconds / best,
            repeats);
    return 0;
  }

  /** Seeded speech-like test signal: a gliding harmonic voice with noise bursts and pauses. */
  static Waveform syntheticSpeech(double seconds, int rate, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int n = (int) Math.round(seconds * rate);
    float[] x = new float[n];
    double phase = 0;
    for (int i = 0; i < n; i++) {
      double t = (double) i / rate;
      double f0 = 120 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
      phase += 2 * Math.PI * f0 / rate;
      double syllable = Math.max(0, Math.sin(2 * Math.PI * 2.5 * t));
      double voiced = 0;
      for (int h = 1; h <= 20; h++) {
        voiced += Math.sin(h * phase) / h;
      }
      x[i] = (float) (0.1 * syllable * voiced + 0.01 * (rng.nextDouble() - 0.5));
    }
    return new Waveform(x, rate, 1);
  }
}
