package io.qmargin.model.djl;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.data.face.RgbImage;
import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * An image to a face model's L2-normalised embedding, with qmargin's preprocessing of the model's
 * evaluation ({@link Preprocessing}: the centre crop, the resize to the model's side, RGB scaled as
 * (v - 127.5) / 127.5, channels first): what {@code qmargin embed} does to an image file.
 */
public final class FaceEmbeddingTranslator implements NoBatchifyTranslator<Image, float[]> {
  private final Preprocessing preprocessing;

  public FaceEmbeddingTranslator(Preprocessing preprocessing) {
    this.preprocessing = preprocessing.deterministic();
  }

  /** The translator of a model's arguments ({@code imageSide}, {@code crop}). */
  static FaceEmbeddingTranslator of(Map<String, ?> arguments) {
    int side = Integer.parseInt(QmarginBlockFactory.argument(arguments, "imageSide"));
    int crop = Integer.parseInt(QmarginBlockFactory.argument(arguments, "crop"));
    return new FaceEmbeddingTranslator(new Preprocessing(crop, side, side, 0, 0));
  }

  @Override
  public NDList processInput(TranslatorContext ctx, Image input) {
    BufferedImage img = (BufferedImage) input.getWrappedImage();
    int w = img.getWidth();
    int h = img.getHeight();
    int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] &= 0xffffff;
    }
    float[] chw = preprocessing.apply(new RgbImage(w, h, rgb), false);
    return new NDList(
        ctx.getNDManager()
            .create(
                chw, new Shape(1, 3, preprocessing.outputHeight(), preprocessing.outputWidth())));
  }

  @Override
  public float[] processOutput(TranslatorContext ctx, NDList list) {
    return normalised(list.singletonOrThrow());
  }

  /** The row of a (1, d) output divided by its L2 norm. */
  static float[] normalised(NDArray e) {
    return e.div(e.norm().maximum(1e-12f)).toFloatArray();
  }
}
