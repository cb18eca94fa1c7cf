package io.qmargin.tmpdebug;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.qmargin.model.speaker.SpeakerBackbones;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

public class DetTest {
  @Test
  void det() {
    String name = System.getenv().getOrDefault("NET", "small");
    int feats = Integer.parseInt(System.getenv().getOrDefault("FEATS", "80"));
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(1);
      Block net = SpeakerBackbones.create(name, 128, feats);
      net.initialize(m, DataType.FLOAT32, SpeakerBackbones.inputShape(32, 100, feats));
      NDArray x = m.randomNormal(-5f, 2f, new Shape(32, 100, feats), DataType.FLOAT32);
      ParameterStore ps = new ParameterStore(m, false);
      float[] ref = null; float[] refG = null;
      int diffs = 0, nans = 0;
      for (int it = 0; it < 30; it++) {
        for (long size = 1000; size < 4_000_000; size = size * 5 / 4) {
          try (NDManager p = m.newSubManager()) { p.full(new Shape(size), Float.NaN); }
        }
        float[] out; float[] gr;
        try (NDManager s = m.newSubManager()) {
          NDArray xi = x.duplicate(); xi.attach(s);
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = net.forward(ps, new NDList(xi), true).singletonOrThrow();
            y.attach(s);
            out = y.toFloatArray();
            gc.backward(y.square().sum());
          }
          Parameter w0 = net.getParameters().get(0).getValue();
          gr = w0.getArray().getGradient().toFloatArray();
          for (Pair<String, Parameter> p : net.getParameters()) {
            if (p.getValue().requiresGradient()) { NDArray g = p.getValue().getArray().getGradient(); g.subi(g); }
          }
        }
        boolean bad = false;
        for (float v : out) if (!Float.isFinite(v)) bad = true;
        for (float v : gr) if (!Float.isFinite(v)) bad = true;
        if (bad) nans++;
        if (ref == null) { ref = out; refG = gr; }
        else if (!Arrays.equals(ref, out) || !Arrays.equals(refG, gr)) diffs++;
      }
      System.err.println("DET net=" + name + " feats=" + feats + " diffs=" + diffs + "/29 nans=" + nans);
    }
  }
}
