package io.qmargin.model.imports;

import ai.djl.nn.Block;
import io.qmargin.model.Backbones;
import io.qmargin.model.speaker.SpeakerBackbones;

/**
 * What a foreign state dict holds, in qmargin's terms: the backbone (a name of {@link Backbones} or
 * {@link SpeakerBackbones}), its sizes, and the project whose layout and preprocessing it follows.
 *
 * @param project the source project: {@code insightface} or {@code wespeaker}
 * @param speaker whether it is a speaker model (log-mel frames in) rather than a face model
 * @param backbone qmargin's canonical backbone name
 * @param embeddingDim d
 * @param featureDim F, the mel bins of a speaker model (0 for faces)
 */
public record SourceModel(
    String project, boolean speaker, String backbone, int embeddingDim, int featureDim) {

  /** insightface's input: aligned 112 x 112 RGB, (x - 127.5) / 127.5, channels first. */
  public static final String FACE_PREPROCESSING =
      "aligned 112x112 RGB, (x - 127.5) / 127.5, channels first (insightface)";

  /** wespeaker's features: Kaldi fbank with a Hamming window, then per-utterance mean removal. */
  public static final String SPEAKER_PREPROCESSING =
      "16 kHz audio on the 16-bit scale, Kaldi fbank (25 ms frames, 10 ms shift, Hamming window,"
          + " dither 0 at test time, no energy), per-utterance cepstral mean normalisation"
          + " (wespeaker)";

  /** A new, uninitialised qmargin backbone of this architecture. */
  public Block create() {
    return speaker
        ? SpeakerBackbones.create(backbone, embeddingDim, featureDim)
        : Backbones.create(backbone, embeddingDim, 0f);
  }

  /** The preprocessing the source project used, in words (recorded with an imported model). */
  public String preprocessing() {
    return speaker ? SPEAKER_PREPROCESSING : FACE_PREPROCESSING;
  }
}
