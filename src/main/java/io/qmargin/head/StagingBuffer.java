package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies Java arrays into engine arrays through one reused direct buffer. DJL's {@code
 * create(float[])} allocates and zeroes a new direct buffer per call, which costs more than the
 * copy; {@code create(ByteBuffer)} wraps a direct buffer without copying, so the wrapped array is
 * duplicated on the engine before the buffer is reused. Row indices go to the engine as int64, with
 * which PyTorch gathers rows faster than with int32 (the measured costs are in docs/benchmarks.md).
 */
final class StagingBuffer {
  private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder());

  NDArray floats(NDManager manager, float[] data, int offset, int length, Shape shape) {
    ByteBuffer b = reserve(4L * length);
    b.asFloatBuffer().put(data, offset, length);
    return copyOut(manager, b, 4L * length, shape, DataType.FLOAT32);
  }

  NDArray floats(NDManager manager, float[] data, Shape shape) {
    return floats(manager, data, 0, data.length, shape);
  }

  /** int64 indices of rows[from..to). */
  NDArray indices(NDManager manager, int[] rows, int from, int to) {
    int n = to - from;
    ByteBuffer b = reserve(8L * n);
    java.nio.LongBuffer lb = b.asLongBuffer();
    for (int i = from; i < to; i++) {
      lb.put(rows[i]);
    }
    return copyOut(manager, b, 8L * n, new Shape(n), DataType.INT64);
  }

  NDArray indices(NDManager manager, int[] rows) {
    return indices(manager, rows, 0, rows.length);
  }

  NDArray indices(NDManager manager, long[] values) {
    ByteBuffer b = reserve(8L * values.length);
    b.asLongBuffer().put(values);
    return copyOut(manager, b, 8L * values.length, new Shape(values.length), DataType.INT64);
  }

  private ByteBuffer reserve(long bytes) {
    if (bytes > buffer.capacity()) {
      buffer =
          ByteBuffer.allocateDirect(Math.toIntExact(Math.max(bytes, 2L * buffer.capacity())))
              .order(ByteOrder.nativeOrder());
    }
    buffer.clear();
    return buffer;
  }

  private static NDArray copyOut(
      NDManager manager, ByteBuffer b, long bytes, Shape shape, DataType type) {
    ByteBuffer view = b.duplicate().order(ByteOrder.nativeOrder());
    view.limit(Math.toIntExact(bytes));
    try (NDManager wrap = manager.newSubManager()) {
      NDArray wrapped = wrap.create(view, shape, type);
      NDArray copy = wrapped.duplicate();
      copy.attach(manager);
      return copy;
    }
  }
}
