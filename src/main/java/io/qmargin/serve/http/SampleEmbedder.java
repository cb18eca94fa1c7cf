package io.qmargin.serve.http;

import ai.djl.ndarray.NDManager;
import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.audio.AudioReader;
import io.qmargin.audio.Fbank;
import io.qmargin.audio.FeatureMatrix;
import io.qmargin.audio.FlacReader;
import io.qmargin.audio.OggVorbisReader;
import io.qmargin.audio.Resampler;
import io.qmargin.audio.WavReader;
import io.qmargin.data.face.CorruptImageException;
import io.qmargin.data.face.ImageDecoder;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.data.speech.SpeechSampleSet;
import io.qmargin.serve.ImageSizeGuard;
import io.qmargin.serve.SampleTooLargeException;
import io.qmargin.train.Embedder;
import io.qmargin.train.FaceData;
import io.qmargin.train.SpeechData;
import io.qmargin.train.TrainConfig;
import io.qmargin.train.TrainedModel;
import java.nio.file.Path;

/**
 * Turns one uploaded sample (the bytes of an image for a face model, of a WAV/FLAC/Ogg file for a
 * speaker model) into the model's L2-normalised embedding, with the preprocessing {@code qmargin
 * embed} applies: the face model's deterministic crop and resize, or the speaker model's whole
 * utterance features (mono, resampled to the model's rate). The format is recognised from the
 * content, never from a name or a declared content type.
 *
 * <p>Refusals are {@link ApiException}s: 415 for content of the wrong kind (audio sent to a face
 * model, text, ...), 400 for a sample of the right kind that cannot be decoded or is too short, 413
 * for an image whose header declares more pixels than the limit (checked before decoding, so that a
 * small file cannot make the service allocate gigabytes). Embedding is serialised: the model runs
 * one sample at a time, which keeps memory bounded whatever the number of clients.
 */
public final class SampleEmbedder {
  /** Longest utterance, in frames, tried when finding the shortest one the model embeds. */
  private static final int MAX_PROBED_FRAMES = 4096;

  private final TrainedModel model;
  private final Embedder embedder;
  private final ImageSizeGuard imageGuard;
  private final Preprocessing face;
  private final Fbank fbank;
  private final int sampleRate;
  private final int minFrames;

  /**
   * @param model the loaded model; its manager must outlive this embedder
   * @param imageGuard the pixel limit of uploaded images
   */
  public SampleEmbedder(TrainedModel model, NDManager manager, ImageSizeGuard imageGuard) {
    this.model = model;
    this.imageGuard = imageGuard;
    this.embedder = new Embedder(model.backbone(), manager, model.sampleShape(), 1);
    if (isSpeaker()) {
      SpeechSampleSet.Options o = SpeechData.options(model.config(), false);
      this.fbank = new Fbank(o.fbank());
      this.sampleRate = o.sampleRate();
      this.face = null;
      long featureDim = model.sampleShape()[model.sampleShape().length - 1];
      this.minFrames = embedder.minimumFrames(featureDim, MAX_PROBED_FRAMES);
    } else {
      this.face =
          FaceData.preprocessing(model.config().data(), model.config().seed()).deterministic();
      this.fbank = null;
      this.sampleRate = 0;
      this.minFrames = 0;
    }
  }

  /** True for a speaker model (audio samples), false for a face model (image samples). */
  public boolean isSpeaker() {
    return model.config().task() == TrainConfig.Task.SPEAKER;
  }

  /** What a sample must be, for messages and the page: "image" or "audio". */
  public String sampleKind() {
    return isSpeaker() ? "audio" : "image";
  }

  /**
   * True when the bytes start like a sample of the model's kind (an image format for a face model,
   * WAV, FLAC or Ogg for a speaker model); they may still fail to decode.
   */
  public boolean looksLikeSample(byte[] content) {
    return isSpeaker()
        ? WavReader.looksLikeWav(content)
            || FlacReader.looksLikeFlac(content)
            || OggVorbisReader.looksLikeOgg(content)
        : ImageDecoder.looksLikeImage(content);
  }

  /**
   * The sample's embedding, L2-normalised.
   *
   * @param source the upload's name, used only in messages
   */
  public float[] embed(byte[] content, String source) {
    if (content.length == 0) {
      throw new ApiException(400, source + ": empty sample");
    }
    return isSpeaker() ? embedAudio(content, source) : embedImage(content, source);
  }

  private float[] embedImage(byte[] content, String source) {
    if (!looksLikeSample(content)) {
      throw new ApiException(
          415,
          source
              + ": not an image (JPEG, PNG, GIF, BMP or PGM/PPM); this service runs a face model"
              + " and takes aligned face crops");
    }
    try {
      imageGuard.check(content, source);
    } catch (SampleTooLargeException e) {
      throw new ApiException(413, e.getMessage(), e);
    } catch (UserInputException noImageIoReader) {
      // PGM/PPM, which ImageIO does not read: their pixels are stored raw, so the upload limit
      // bounds them; anything else that fails here fails to decode below, as a 400
    }
    float[] x;
    try {
      x = face.apply(ImageDecoder.decode(content, source), false);
    } catch (CorruptImageException | UserInputException e) {
      throw new ApiException(400, e.getMessage(), e);
    }
    return run(() -> embedder.embed(1, i -> x, false, Progress.NONE));
  }

  private float[] embedAudio(byte[] content, String source) {
    if (!looksLikeSample(content)) {
      throw new ApiException(
          415, source + ": not WAV, FLAC or Ogg Vorbis audio; this service runs a speaker model");
    }
    FeatureMatrix f;
    try {
      float[] samples =
          Resampler.resample(AudioReader.decode(content, Path.of(source)).toMono(), sampleRate)
              .samples();
      f = SpeechSampleSet.features(fbank, samples);
    } catch (UserInputException | IllegalArgumentException e) {
      throw new ApiException(400, e.getMessage(), e);
    }
    if (f.numFrames() < minFrames) {
      throw new ApiException(
          400,
          source
              + ": too short for the model: "
              + f.numFrames()
              + " frame(s), it needs at least "
              + minFrames);
    }
    Embedder.Sample s = new Embedder.Sample(f.values(), new long[] {f.numFrames(), f.dim()});
    return run(() -> embedder.embedEach(1, i -> s, Progress.NONE));
  }

  private synchronized float[] run(java.util.function.Supplier<float[]> forward) {
    return forward.get();
  }
}
