package io.qmargin.model.djl;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import io.qmargin.audio.AudioReader;
import io.qmargin.audio.CepstralMeanNormalization;
import io.qmargin.audio.Fbank;
import io.qmargin.audio.FbankOptions;
import io.qmargin.audio.FeatureMatrix;
import io.qmargin.audio.WindowType;
import java.nio.file.Path;
import java.util.Map;

/**
 * A sound file (WAV, FLAC, Ogg Vorbis) to a speaker model's L2-normalised embedding of the whole
 * utterance: mono at the model's rate, Kaldi fbank with the model's mel bins and window,
 * per-utterance mean normalisation (no variance normalisation), the backbone: what {@code qmargin
 * embed --audio} does.
 */
public final class SpeechEmbeddingTranslator implements NoBatchifyTranslator<Path, float[]> {
  private final Fbank fbank;
  private final int sampleRate;

  public SpeechEmbeddingTranslator(FbankOptions options) {
    this.fbank = new Fbank(options);
    this.sampleRate = (int) options.sampleFrequency();
  }

  /** The translator of a model's arguments ({@code sampleRate}, {@code featureDim}, ...). */
  static SpeechEmbeddingTranslator of(Map<String, ?> arguments) {
    return new SpeechEmbeddingTranslator(
        FbankOptions.defaults().toBuilder()
            .sampleFrequency(
                Integer.parseInt(QmarginBlockFactory.argument(arguments, "sampleRate")))
            .numMelBins(Integer.parseInt(QmarginBlockFactory.argument(arguments, "featureDim")))
            .windowType(WindowType.parse(QmarginBlockFactory.argument(arguments, "windowType")))
            .build());
  }

  @Override
  public NDList processInput(TranslatorContext ctx, Path input) {
    FeatureMatrix f =
        CepstralMeanNormalization.perUtterance(
            fbank.compute(AudioReader.readMono(input, sampleRate)), false);
    return new NDList(ctx.getNDManager().create(f.values(), new Shape(1, f.numFrames(), f.dim())));
  }

  @Override
  public float[] processOutput(TranslatorContext ctx, NDList list) {
    return FaceEmbeddingTranslator.normalised(list.singletonOrThrow());
  }
}
