package io.qmargin.data.speech;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Speech with speaker labels from Debian packages.
 *
 * <ul>
 *   <li><b>Asterisk prompts</b> ({@code asterisk-core-sounds-{en,es,fr,it,ru}-wav}, {@code
 *       asterisk-prompt-it-menardi-wav}; CC-BY(-SA) 3.0): telephone prompts, 8 kHz mono WAV, one
 *       professional speaker per package, installed as {@code
 *       /usr/share/asterisk/sounds/<lang>_<REGION>_<m|f>_<Voice>/...}. The speaker is the voice
 *       name of the folder, so the English and Spanish sets ({@code en_US_f_Allison}, {@code
 *       es_MX_f_Allison}, the same speaker) share one label. The {@code silence/} folder and the
 *       beep and tone files are skipped. Language folders that are symbolic links (created by
 *       {@code asterisk-core-sounds-en} etc.) are skipped so that nothing is read twice; a plain
 *       language folder ({@code en/}, older layouts) is read with the folder name as speaker.
 *   <li><b>Fish Fillets NG voices</b> ({@code fillets-ng-data-cs}, {@code fillets-ng-data-nl};
 *       GPL-2): game dialogue, Ogg Vorbis 22.05 kHz, in {@code
 *       /usr/share/games/fillets-ng/sound/<level>/<lang>/<level>-<role>-<phrase>.ogg} (and {@code
 *       sound/share/<topic>/<lang>/...}). The two fish, role {@code m} (small) and {@code v} (big),
 *       are voiced by two actors per language; the speaker is {@code <lang>-<role>} ("cs-m"). Other
 *       roles (minor characters) are skipped.
 * </ul>
 */
public final class DebianSpeech {
  private DebianSpeech() {}

  /** Where the asterisk sound packages install, relative to the file-system root. */
  public static final String ASTERISK_SOUNDS = "usr/share/asterisk/sounds";

  /** Where the Fish Fillets NG data packages install their sounds. */
  public static final String FILLETS_SOUNDS = "usr/share/games/fillets-ng/sound";

  public static final int ASTERISK_SAMPLE_RATE = 8000;
  public static final int FILLETS_SAMPLE_RATE = 22050;

  /**
   * The asterisk speech packages the discovery knows (the -wav flavour; others are not decodable).
   */
  public static final List<String> ASTERISK_PACKAGES =
      List.of(
          "asterisk-core-sounds-en-wav",
          "asterisk-core-sounds-es-wav",
          "asterisk-core-sounds-fr-wav",
          "asterisk-core-sounds-it-wav",
          "asterisk-core-sounds-ru-wav",
          "asterisk-prompt-it-menardi-wav");

  public static final List<String> FILLETS_PACKAGES =
      List.of("fillets-ng-data-cs", "fillets-ng-data-nl");

  private static final Pattern VOICE_FOLDER =
      Pattern.compile("([a-z]{2,3})_([A-Za-z]{2})_([mf])_(.+)");
  private static final Pattern LANGUAGE_FOLDER = Pattern.compile("[a-z]{2,3}(_[A-Za-z]{2})?");
  private static final Set<String> NON_SPEECH =
      Set.of(
          "beep.wav",
          "beeperr.wav",
          "ascending-2tone.wav",
          "descending-2tone.wav",
          "confbridge-join.wav",
          "confbridge-leave.wav");
  private static final Pattern FILLETS_NAME = Pattern.compile("[^-]+-([mv])-.+\\.ogg");
  private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}");
  static final int FILLETS_MIN_UTTERANCES = 10;

  /**
   * The asterisk prompts under {@code sounds} ({@code /usr/share/asterisk/sounds}); utterance ids
   * are paths relative to it ({@code en_US_f_Allison/digits/1.wav}). Empty when none are there.
   */
  public static SpeechCorpus asterisk(Path sounds) {
    List<Utterance> utts = new ArrayList<>();
    if (Files.isDirectory(sounds)) {
      Set<Path> seen = new HashSet<>();
      for (Path dir : AudioFiles.subfolders(sounds)) {
        String name = dir.getFileName().toString();
        Matcher voice = VOICE_FOLDER.matcher(name);
        String speaker;
        if (voice.matches()) {
          speaker = voice.group(4);
        } else if (LANGUAGE_FOLDER.matcher(name).matches() && !Files.isSymbolicLink(dir)) {
          speaker = name;
        } else {
          continue;
        }
        if (!seen.add(realPath(dir))) {
          continue;
        }
        for (Path f : AudioFiles.walk(dir)) {
          String rel = AudioFiles.relativeId(dir, f);
          if (AudioFiles.extension(f).equals("wav")
              && !rel.startsWith("silence/")
              && !NON_SPEECH.contains(f.getFileName().toString())) {
            utts.add(new Utterance(name + "/" + rel, f, speaker));
          }
        }
      }
    }
    return SpeechCorpus.of(utts, sounds + " (asterisk prompts)");
  }

  /**
   * The Fish Fillets NG voices under {@code sound} ({@code /usr/share/games/fillets-ng/sound}), at
   * any depth ({@code <level>/<lang>/} and {@code share/<topic>/<lang>/}); utterance ids are paths
   * relative to it ("airplane/cs/let-m-oko.ogg"). A language and role with fewer than {@value
   * #FILLETS_MIN_UTTERANCES} files is skipped: the game's base data has a stray voice file among
   * the English sound effects. Empty when none are there.
   */
  public static SpeechCorpus fillets(Path sound) {
    List<Utterance> utts = new ArrayList<>();
    if (Files.isDirectory(sound)) {
      for (Path f : AudioFiles.walk(sound)) {
        Matcher m = FILLETS_NAME.matcher(f.getFileName().toString());
        String language = f.getParent().getFileName().toString();
        if (m.matches() && LANGUAGE.matcher(language).matches()) {
          utts.add(new Utterance(AudioFiles.relativeId(sound, f), f, language + "-" + m.group(1)));
        }
      }
    }
    Map<String, Integer> counts = new HashMap<>();
    utts.forEach(u -> counts.merge(u.speaker(), 1, Integer::sum));
    utts.removeIf(u -> counts.get(u.speaker()) < FILLETS_MIN_UTTERANCES);
    return SpeechCorpus.of(utts, sound + " (Fish Fillets NG voices)");
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      throw new UserInputException(p + ": cannot resolve (" + e.getMessage() + ")", e);
    }
  }
}
