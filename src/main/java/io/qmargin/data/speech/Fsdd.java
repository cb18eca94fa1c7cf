package io.qmargin.data.speech;

import io.qmargin.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Free Spoken Digit Dataset (FSDD, Jackson et al., CC BY-SA 4.0): English digits 0-9 spoken by
 * a few speakers, mono 8 kHz 16-bit WAV, about 0.3-0.8 s each. Files are named {@code
 * <digit>_<speaker>_<index>.wav}; the speaker comes from the name, so both the original flat {@code
 * recordings/} folder and per-speaker sub-folders read. The utterance id is the file name without
 * {@code .wav} ({@code 0_george_0}). The README's official split puts indices 0-4 in the test set
 * ({@link #officialSplit}).
 */
public final class Fsdd {
  private Fsdd() {}

  /** Native sample rate of the recordings. */
  public static final int SAMPLE_RATE = 8000;

  private static final Pattern NAME = Pattern.compile("(\\d)_([A-Za-z0-9-]+)_(\\d+)\\.wav");

  /** The FSDD folder (holding {@code recordings/}) or the recordings folder itself. */
  public static SpeechCorpus read(Path dir) {
    Path recordings =
        Files.isDirectory(dir.resolve("recordings")) ? dir.resolve("recordings") : dir;
    if (!Files.isDirectory(recordings)) {
      throw new UserInputException(
          dir
              + ": not a folder (expected the FSDD folder with recordings/<digit>_<speaker>_<index>.wav)");
    }
    List<Utterance> utts = new ArrayList<>();
    for (Path f : AudioFiles.walk(recordings)) {
      Matcher m = NAME.matcher(f.getFileName().toString());
      if (m.matches()) {
        String name = f.getFileName().toString();
        utts.add(new Utterance(name.substring(0, name.length() - 4), f, m.group(2)));
      }
    }
    if (utts.isEmpty()) {
      throw new UserInputException(
          recordings + ": no FSDD recordings (files named <digit>_<speaker>_<index>.wav)");
    }
    return SpeechCorpus.of(utts, recordings + " (FSDD)");
  }

  /** The spoken digit of an FSDD utterance (from its file name). */
  public static int digit(Utterance u) {
    return Integer.parseInt(match(u).group(1));
  }

  /** The recording index of an FSDD utterance (0-49 per speaker and digit). */
  public static int index(Utterance u) {
    return Integer.parseInt(match(u).group(3));
  }

  /**
   * The README's split: indices 0-4 held out for testing, 5-49 for training; same speakers in both.
   */
  public static CorpusSplit officialSplit(SpeechCorpus fsdd) {
    return fsdd.partition(u -> index(u) < 5, " (FSDD official split: index 0-4 held out)");
  }

  private static Matcher match(Utterance u) {
    Matcher m = NAME.matcher(u.path().getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException(u.path() + " is not named like an FSDD recording");
    }
    return m;
  }
}
