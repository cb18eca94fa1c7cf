package io.qmargin.data.face;

import java.util.Optional;

/**
 * A labelled set of face images, addressed by index 0..size()-1, with labels 0..numClasses()-1.
 * {@link #load} decodes and preprocesses one sample; its random augmentation depends only on the
 * dataset's seed, the epoch and the index, so a resumed run sees the same augmentations. Loading
 * may run on several threads at once.
 */
public interface FaceDataset {
  int size();

  int numClasses();

  /** The label of sample {@code index}, known without decoding the image. */
  int label(int index);

  /**
   * Where sample {@code index} comes from (a file path, a record in a .rec file, a synthetic id).
   */
  String source(int index);

  /** The identity name of each label (label i is element i), or empty when the set has no names. */
  default java.util.List<String> identities() {
    return java.util.List.of();
  }

  /**
   * The preprocessed sample {@code index} as seen in {@code epoch}.
   *
   * @throws CorruptImageException when the image cannot be read or decoded
   */
  FaceImage load(int index, long epoch);

  /**
   * {@link #load}, except that a corrupt or unreadable image is recorded in {@code corrupt} (which
   * reports its path) and skipped: an epoch never stops halfway because of one bad file.
   */
  default Optional<FaceImage> loadOrSkip(int index, long epoch, CorruptImages corrupt) {
    try {
      return Optional.of(load(index, epoch));
    } catch (CorruptImageException e) {
      corrupt.record(e);
      return Optional.empty();
    }
  }
}
