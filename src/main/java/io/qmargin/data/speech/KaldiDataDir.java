package io.qmargin.data.speech;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a Kaldi-style data directory: {@code wav.scp} ({@code <utt-id> <path>}) and {@code utt2spk}
 * ({@code <utt-id> <speaker-id>}), one entry a line, fields separated by spaces or tabs, UTF-8.
 * {@code spk2utt} and other files are ignored. Blank lines are skipped.
 *
 * <p>The path in wav.scp is the rest of the line after the utterance id. <b>Relative paths are
 * resolved against the folder that holds wav.scp</b>, so a data directory can be moved together
 * with its audio. (Kaldi and wespeaker resolve them against the working directory of the recipe,
 * usually two levels above {@code data/train}; their lists normally hold absolute paths, which are
 * unaffected. Pass another base to {@link #read(Path, Path)} to reproduce a recipe's layout.)
 *
 * <p>Rejected, each with the file and line: command pipes ({@code <utt-id> sox in.sph -t wav - |}:
 * qmargin does not run commands; convert the audio to files first), archive offsets ({@code
 * foo.ark:123}), a {@code segments} file (utterances cut out of longer recordings), malformed
 * lines, an utterance id listed twice, an utterance of wav.scp without a speaker in utt2spk or one
 * of utt2spk without audio in wav.scp (Kaldi's {@code utils/fix_data_dir.sh} drops such entries),
 * and files that do not exist (the first few are named, with the total count).
 */
public final class KaldiDataDir {
  private KaldiDataDir() {}

  /** How many missing files an error names before it only counts. */
  static final int MISSING_SHOWN = 5;

  private static final Pattern WHITESPACE = Pattern.compile("[ \\t]+");
  private static final Pattern ARK_OFFSET = Pattern.compile(".*:\\d+$");

  /** {@code dir/wav.scp} and {@code dir/utt2spk}, relative paths resolved against {@code dir}. */
  public static SpeechCorpus read(Path dir) {
    return read(dir, dir);
  }

  /**
   * {@code dir/wav.scp} and {@code dir/utt2spk}, relative audio paths resolved against {@code
   * base}.
   */
  public static SpeechCorpus read(Path dir, Path base) {
    if (!Files.isDirectory(dir)) {
      throw new UserInputException(
          dir + ": not a folder (expected a Kaldi data directory with wav.scp and utt2spk)");
    }
    Path segments = dir.resolve("segments");
    if (Files.exists(segments)) {
      throw new UserInputException(
          segments
              + ": segments files are not supported (utterances cut out of longer "
              + "recordings); extract the segments to files first, e.g. with Kaldi's extract-segments");
    }
    return read(dir.resolve("wav.scp"), dir.resolve("utt2spk"), base, dir + " (Kaldi data dir)");
  }

  /** Explicit wav.scp and utt2spk files; relative audio paths resolved against {@code base}. */
  public static SpeechCorpus read(Path wavScp, Path utt2spk, Path base, String description) {
    Map<String, Entry> wavs = parse(wavScp, false);
    Map<String, Entry> spks = parse(utt2spk, true);

    int noSpeaker = 0;
    Entry firstNoSpeaker = null;
    for (Entry w : wavs.values()) {
      if (!spks.containsKey(w.key)) {
        noSpeaker++;
        firstNoSpeaker = firstNoSpeaker == null ? w : firstNoSpeaker;
      }
    }
    if (firstNoSpeaker != null) {
      throw new UserInputException(
          wavScp
              + ":"
              + firstNoSpeaker.line
              + ": utterance '"
              + firstNoSpeaker.key
              + "' has no speaker in "
              + utt2spk
              + more(noSpeaker, "utterance of wav.scp is", "utterances of wav.scp are")
              + " missing from utt2spk; Kaldi's utils/fix_data_dir.sh drops them)");
    }
    int noAudio = 0;
    Entry firstNoAudio = null;
    for (Entry s : spks.values()) {
      if (!wavs.containsKey(s.key)) {
        noAudio++;
        firstNoAudio = firstNoAudio == null ? s : firstNoAudio;
      }
    }
    if (firstNoAudio != null) {
      throw new UserInputException(
          utt2spk
              + ":"
              + firstNoAudio.line
              + ": utterance '"
              + firstNoAudio.key
              + "' is not in "
              + wavScp
              + more(noAudio, "utterance of utt2spk is", "utterances of utt2spk are")
              + " missing from wav.scp; Kaldi's utils/fix_data_dir.sh drops them)");
    }

    List<Utterance> utts = utterances(wavScp, wavs, base, w -> spks.get(w.key).value);
    return SpeechCorpus.of(utts, description);
  }

  /**
   * The utterances of a {@code wav.scp} alone, in file order, for a list to embed rather than a
   * corpus to train on: the same rules and errors as {@link #read(Path, Path, Path, String)}
   * (relative paths against {@code base}), speakers unknown ({@link Utterance#UNKNOWN_SPEAKER}).
   */
  public static List<Utterance> readWavScp(Path wavScp, Path base) {
    return utterances(wavScp, parse(wavScp, false), base, w -> Utterance.UNKNOWN_SPEAKER);
  }

  /**
   * Resolves and checks the audio paths of wav.scp's entries; refuses missing files (naming the
   * first few) and an empty list.
   */
  private static List<Utterance> utterances(
      Path wavScp,
      Map<String, Entry> wavs,
      Path base,
      java.util.function.Function<Entry, String> speaker) {
    List<Utterance> utts = new ArrayList<>(wavs.size());
    List<String> missing = new ArrayList<>();
    int missingCount = 0;
    for (Entry w : wavs.values()) {
      Path p;
      try {
        p = base.resolve(w.value);
      } catch (InvalidPathException e) {
        throw new UserInputException(
            wavScp + ":" + w.line + ": '" + w.value + "' is not a valid path", e);
      }
      if (!Files.isRegularFile(p)) {
        missingCount++;
        if (missing.size() < MISSING_SHOWN) {
          String hint =
              ARK_OFFSET.matcher(w.value).matches()
                  ? " (an archive offset? only plain audio files are read)"
                  : "";
          missing.add("line " + w.line + ": " + p + hint);
        }
        continue;
      }
      utts.add(new Utterance(w.key, p, speaker.apply(w)));
    }
    if (missingCount > 0) {
      throw new UserInputException(
          wavScp
              + ": "
              + missingCount
              + " of "
              + wavs.size()
              + " listed audio files do not exist"
              + (missingCount > missing.size() ? " (first " + missing.size() + " shown)" : "")
              + ": "
              + String.join("; ", missing)
              + " (relative paths are resolved against "
              + base
              + ")");
    }
    if (utts.isEmpty()) {
      throw new UserInputException(wavScp + ": no utterances listed");
    }
    return utts;
  }

  private static String more(int count, String one, String many) {
    return " (" + count + " " + (count == 1 ? one : many);
  }

  private record Entry(String key, String value, int line) {}

  private static Map<String, Entry> parse(Path file, boolean utt2spk) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UserInputException(
          file + ": no such file (a Kaldi data directory needs wav.scp and utt2spk)");
    } catch (CharacterCodingException e) {
      throw new UserInputException(file + ": not UTF-8 text", e);
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    String expected = utt2spk ? "'<utt-id> <speaker-id>'" : "'<utt-id> <audio-path>'";
    Map<String, Entry> out = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      int lineNo = i + 1;
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = WHITESPACE.split(line, 2);
      if (parts.length < 2 || parts[1].isBlank()) {
        throw new UserInputException(
            file + ":" + lineNo + ": expected " + expected + ", got '" + abbreviate(line) + "'");
      }
      String key = parts[0];
      String value = parts[1].strip();
      if (utt2spk && WHITESPACE.matcher(value).find()) {
        throw new UserInputException(
            file
                + ":"
                + lineNo
                + ": expected "
                + expected
                + " (two fields), got '"
                + abbreviate(line)
                + "'");
      }
      if (!utt2spk && value.endsWith("|")) {
        throw new UserInputException(
            file
                + ":"
                + lineNo
                + ": utterance '"
                + key
                + "' is a command pipe ('"
                + abbreviate(value)
                + "'); qmargin does not run commands: convert the audio to WAV or FLAC files "
                + "(e.g. with sox or ffmpeg) and list their paths");
      }
      Entry previous = out.putIfAbsent(key, new Entry(key, value, lineNo));
      if (previous != null) {
        throw new UserInputException(
            file
                + ":"
                + lineNo
                + ": utterance id '"
                + key
                + "' already listed on line "
                + previous.line);
      }
    }
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
