package io.qmargin.data;

/**
 * A labelled training or evaluation set as the trainer sees it, whatever the modality: samples
 * addressed by index 0..size()-1, labels 0..numClasses()-1, each sample a float32 tensor of {@link
 * #sampleShape()} (a face: 3 × 112 × 112; a speech crop: frames × mel bins).
 *
 * <p>{@link #load} must be deterministic given (index, epoch) and the set's own seed, so that a
 * resumed run sees the same augmentations, and may be called from several threads at once.
 */
public interface SampleSet {
  int size();

  int numClasses();

  /** The label of sample {@code index}, known without decoding it. */
  int label(int index);

  /** Where sample {@code index} comes from (a file path, a record, a synthetic id). */
  String source(int index);

  /**
   * The identity name of each label (label i is element i), or empty when the set has no names; a
   * run records them so that evaluations can be checked for identities it trained on.
   */
  default java.util.List<String> identities() {
    return java.util.List.of();
  }

  /** Shape of every sample this set loads, without the batch dimension. */
  long[] sampleShape();

  /**
   * Sample {@code index} as seen in {@code epoch}, flattened in row-major order of {@link
   * #sampleShape()}.
   *
   * @throws UnreadableSampleException when the sample cannot be read or decoded (the trainer skips
   *     and counts it)
   */
  float[] load(int index, long epoch);
}
