package io.qmargin.model.djl;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Translators of qmargin models to L2-normalised embeddings ({@code float[]}), chosen by the
 * model's {@code task}: a face model takes an {@link Image} ({@link FaceEmbeddingTranslator}), a
 * speaker model the {@link Path} of a sound file ({@link SpeechEmbeddingTranslator}); their
 * preprocessing comes from the model's {@code serving.properties} ({@link DjlModels}).
 */
public final class EmbeddingTranslatorFactory implements TranslatorFactory {

  @Override
  public Set<Pair<Type, Type>> getSupportedTypes() {
    return Set.of(new Pair<>(Image.class, float[].class), new Pair<>(Path.class, float[].class));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <I, O> Translator<I, O> newInstance(
      Class<I> input, Class<O> output, Model model, Map<String, ?> arguments)
      throws TranslateException {
    boolean speaker = QmarginBlockFactory.isSpeaker(arguments);
    if (output != float[].class || input != (speaker ? Path.class : Image.class)) {
      throw new TranslateException(
          "a qmargin "
              + (speaker ? "speaker" : "face")
              + " model maps "
              + (speaker ? "a sound file (Path)" : "an Image")
              + " to float[], not "
              + input.getSimpleName()
              + " to "
              + output.getSimpleName());
    }
    return (Translator<I, O>)
        (speaker ? SpeechEmbeddingTranslator.of(arguments) : FaceEmbeddingTranslator.of(arguments));
  }
}
