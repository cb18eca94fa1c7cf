package io.qmargin.model.imports;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Named float tensors as a foreign project stores them: PyTorch state-dict names and shapes (for
 * example insightface's {@code layer1.0.conv1.weight}, shape {@code [64, 64, 3, 3]}), values in
 * row-major (C) order. Every reader of a foreign format (a PyTorch {@code .pth}/{@code .pt} state
 * dict, an exported ONNX graph) produces one, so that the mapping of a project's names onto
 * qmargin's backbones is written once.
 *
 * @param source the file the tensors came from, for messages
 * @param tensors the tensors by their name in the source project, in the file's order
 */
public record StateDict(Path source, Map<String, Tensor> tensors) {

  /**
   * One tensor: its shape and its values as floats (integer tensors such as {@code
   * num_batches_tracked} are converted).
   */
  public record Tensor(long[] shape, float[] values) {

    public Tensor {
      long size = 1;
      for (long d : shape) {
        size *= d;
      }
      if (size != values.length) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " holds " + size + " values, not " + values.length);
      }
    }

    @Override
    public String toString() {
      return Arrays.toString(shape);
    }
  }
}
