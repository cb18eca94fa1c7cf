package io.qmargin.data.speech;

import java.nio.file.Path;

/**
 * One recording of one speaker: {@code id} is unique within its corpus (a Kaldi utterance id, or a
 * path relative to a corpus root such as VoxCeleb's {@code id10270/x6uYqmx31kE/00001.wav}), {@code
 * path} the audio file, {@code speaker} the speaker's name.
 */
public record Utterance(String id, Path path, String speaker) {
  /**
   * The speaker of utterances listed to be embedded, not trained on (a wav.scp alone, a folder of
   * audio).
   */
  public static final String UNKNOWN_SPEAKER = "?";

  public Utterance {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("utterance id must not be blank");
    }
    if (path == null) {
      throw new IllegalArgumentException("utterance " + id + ": path must be set");
    }
    if (speaker == null || speaker.isBlank()) {
      throw new IllegalArgumentException("utterance " + id + ": speaker must not be blank");
    }
  }
}
