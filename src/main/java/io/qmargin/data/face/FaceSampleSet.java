package io.qmargin.data.face;

import io.qmargin.data.SampleSet;
import io.qmargin.data.UnreadableSampleException;

/**
 * A {@link FaceDataset} as the trainer's {@link SampleSet}: samples of shape (3, height, width).
 */
public record FaceSampleSet(FaceDataset faces, int height, int width) implements SampleSet {

  @Override
  public int size() {
    return faces.size();
  }

  @Override
  public int numClasses() {
    return faces.numClasses();
  }

  @Override
  public int label(int index) {
    return faces.label(index);
  }

  @Override
  public String source(int index) {
    return faces.source(index);
  }

  @Override
  public java.util.List<String> identities() {
    return faces.identities();
  }

  @Override
  public long[] sampleShape() {
    return new long[] {3, height, width};
  }

  @Override
  public float[] load(int index, long epoch) {
    try {
      return faces.load(index, epoch).chw();
    } catch (CorruptImageException e) {
      throw new UnreadableSampleException(e.source(), e.getMessage(), e);
    }
  }
}
