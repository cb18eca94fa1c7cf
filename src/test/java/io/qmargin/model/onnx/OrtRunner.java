package io.qmargin.model.onnx;

import ai.djl.engine.Engine;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** Runs an ONNX file in ONNX Runtime (DJL's engine, started first) on one float input. */
public final class OrtRunner {
  private OrtRunner() {}

  /** The first output of {@code model} on {@code input} of {@code shape}, as (rows, columns). */
  public static float[][] run(Path model, String inputName, float[] input, long[] shape)
      throws OrtException {
    Engine.getEngine("OnnxRuntime"); // DJL loads the natives before the raw API is used
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model.toString(), options);
          OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
          OrtSession.Result result = session.run(Map.of(inputName, x))) {
        return (float[][]) result.get(0).getValue();
      }
    }
  }

  /** Each row divided by its L2 norm, as qmargin's embed. */
  public static float[] normalizedRows(float[][] rows) {
    int d = rows[0].length;
    float[] out = new float[rows.length * d];
    for (int i = 0; i < rows.length; i++) {
      double norm = 0;
      for (float v : rows[i]) {
        norm += (double) v * v;
      }
      float n = (float) Math.max(Math.sqrt(norm), 1e-12);
      for (int j = 0; j < d; j++) {
        out[i * d + j] = rows[i][j] / n;
      }
    }
    return out;
  }

  /** max |a − b|. */
  public static double maxAbsDifference(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths " + a.length + " and " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
