package io.qmargin.data.speech;

import io.qmargin.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Corpora stored as one folder per speaker. Audio files are those with extension .wav, .flac or
 * .ogg (any case); other files are skipped, hidden entries (a leading dot) ignored. A speaker
 * folder without audio is an error naming the folder (and, when it holds .m4a or other audio
 * qmargin cannot decode, saying so), so a half-copied or unconverted corpus is caught before
 * training.
 */
public final class SpeakerFolders {
  private SpeakerFolders() {}

  /**
   * VoxCeleb's layout {@code root/<speaker>/<video>/<utt>.wav}; the utterance id is {@code
   * <speaker>/<video>/<utt>.wav}, as in the VoxCeleb trial lists ({@code
   * id10270/x6uYqmx31kE/00001.wav}). When {@code root} holds a folder {@code wav/} (the unpacked
   * VoxCeleb1 archives), that folder is the root. Only files exactly two levels below a speaker
   * folder count. VoxCeleb2 ships AAC (.m4a) files, which must be converted to WAV or FLAC first.
   */
  public static SpeechCorpus voxceleb(Path root) {
    Path base = Files.isDirectory(root.resolve("wav")) ? root.resolve("wav") : root;
    List<Path> speakers = speakerFolders(base, "root/<speaker>/<video>/<utt>.wav");
    List<Utterance> utts = new ArrayList<>();
    for (Path spk : speakers) {
      String name = spk.getFileName().toString();
      int found = 0;
      int unreadable = 0;
      int wrongDepth = 0;
      for (Path entry : AudioFiles.list(spk)) {
        if (!Files.isDirectory(entry)) {
          wrongDepth += AudioFiles.isAudio(entry) ? 1 : 0;
          continue;
        }
        for (Path f : AudioFiles.list(entry)) {
          if (!Files.isRegularFile(f)) {
            continue;
          }
          if (AudioFiles.isAudio(f)) {
            utts.add(new Utterance(AudioFiles.relativeId(base, f), f, name));
            found++;
          } else if (AudioFiles.isUnreadableAudio(f)) {
            unreadable++;
          }
        }
      }
      if (found == 0) {
        String why =
            unreadable > 0
                ? " ("
                    + unreadable
                    + " files in a format qmargin cannot decode, e.g. VoxCeleb2's .m4a: convert them to WAV or FLAC)"
                : wrongDepth > 0
                    ? " ("
                        + wrongDepth
                        + " audio files directly in the speaker folder: that is the layout of SpeakerFolders.generic, not VoxCeleb's)"
                    : "";
        throw new UserInputException(
            spk + ": speaker folder '" + name + "' has no <video>/<utt>.wav|flac|ogg files" + why);
      }
    }
    return SpeechCorpus.of(utts, base + " (VoxCeleb layout)");
  }

  /**
   * Any folder per speaker: {@code root/<speaker>/...} with audio files at any depth below the
   * speaker folder (symbolic links followed); the utterance id is the path relative to {@code root}
   * with '/' separators. Files directly in {@code root} are ignored.
   */
  public static SpeechCorpus generic(Path root) {
    List<Path> speakers = speakerFolders(root, "root/<speaker>/<file>.wav");
    List<Utterance> utts = new ArrayList<>();
    for (Path spk : speakers) {
      String name = spk.getFileName().toString();
      int found = 0;
      int unreadable = 0;
      for (Path f : AudioFiles.walk(spk)) {
        if (AudioFiles.isAudio(f)) {
          utts.add(new Utterance(AudioFiles.relativeId(root, f), f, name));
          found++;
        } else if (AudioFiles.isUnreadableAudio(f)) {
          unreadable++;
        }
      }
      if (found == 0) {
        throw new UserInputException(
            spk
                + ": speaker folder '"
                + name
                + "' has no .wav, .flac or .ogg files"
                + (unreadable > 0
                    ? " ("
                        + unreadable
                        + " files in a format qmargin cannot decode, e.g. .m4a or .mp3: convert them to WAV or FLAC)"
                    : ""));
      }
    }
    return SpeechCorpus.of(utts, root + " (speaker folders)");
  }

  private static List<Path> speakerFolders(Path root, String layout) {
    if (!Files.isDirectory(root)) {
      throw new UserInputException(root + ": not a folder (expected " + layout + ")");
    }
    List<Path> speakers = AudioFiles.subfolders(root);
    if (speakers.isEmpty()) {
      throw new UserInputException(root + ": no speaker folders (expected " + layout + ")");
    }
    return speakers;
  }

  /**
   * Every audio file below {@code root} at any depth (hidden entries skipped, path order), for a
   * list to embed: ids are the paths relative to {@code root} with '/', as VoxCeleb trial lists
   * name utterances; speakers unknown ({@link Utterance#UNKNOWN_SPEAKER}).
   */
  public static List<Utterance> unlabelled(Path root) {
    List<Utterance> utts = new ArrayList<>();
    for (Path f : AudioFiles.walk(root)) {
      if (AudioFiles.isAudio(f)) {
        utts.add(new Utterance(AudioFiles.relativeId(root, f), f, Utterance.UNKNOWN_SPEAKER));
      }
    }
    return utts;
  }
}
