package io.qmargin.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.qmargin.UserInputException;
import io.qmargin.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD with momentum and weight decay for a block's trainable parameters, with PyTorch's semantics
 * ({@code g ← ∇L + λ·w; v ← μ·v + g; w ← w − η·v}) and optional clipping of the gradient's global
 * L2 norm to {@code maxNorm} first (as {@code clip_grad_norm_}: scale by maxNorm / (norm + 1e-6)
 * when the norm exceeds it). Unlike DJL's built-in optimizer, its momentum buffers can be saved and
 * restored, so that a resumed run continues exactly.
 */
public final class ParameterSgd implements AutoCloseable {
  private final NDManager manager;
  private final double momentum;
  private final double weightDecay;
  private final double maxNorm;
  private final List<Pair<String, Parameter>> parameters = new ArrayList<>();
  private final Map<String, NDArray> velocity = new LinkedHashMap<>();

  public ParameterSgd(
      NDManager parent, Block block, double momentum, double weightDecay, double maxNorm) {
    this.manager = parent.newSubManager();
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.maxNorm = maxNorm;
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getValue().requiresGradient()) {
        parameters.add(p);
      }
    }
  }

  /**
   * Applies one step with the gradients of the last backward pass, then zeroes them.
   *
   * @return the gradient's global L2 norm before clipping
   */
  public double step(double learningRate) {
    // Every temporary (and each gradient handle) lives in this scope: results of an operation
    // belong to its first operand's manager, which for parameters is the long-lived model manager.
    try (NDManager scope = manager.newSubManager()) {
      double sq = 0;
      List<NDArray> grads = new ArrayList<>(parameters.size());
      for (Pair<String, Parameter> p : parameters) {
        NDArray g = p.getValue().getArray().getGradient();
        g.attach(scope);
        grads.add(g);
        sq += g.square().sum().getFloat();
      }
      double norm = Math.sqrt(sq);
      double clip = maxNorm > 0 && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1.0;
      for (int i = 0; i < parameters.size(); i++) {
        Pair<String, Parameter> p = parameters.get(i);
        NDArray w = p.getValue().getArray();
        NDArray g = grads.get(i);
        NDArray step = g.mul((float) clip);
        if (weightDecay != 0) {
          NDArray decay = w.mul((float) weightDecay);
          decay.attach(scope);
          step.addi(decay);
        }
        NDArray v = velocity.get(p.getKey());
        if (v == null) {
          v = step.duplicate();
          v.attach(manager);
          velocity.put(p.getKey(), v);
        } else {
          v.muli((float) momentum).addi(step);
        }
        NDArray delta = v.mul((float) learningRate);
        delta.attach(scope);
        w.subi(delta);
        g.subi(g); // zero the accumulated gradient for the next step
      }
      return norm;
    }
  }

  /** Writes one {@code .npy} per momentum buffer into {@code dir}, named by parameter. */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, NDArray> e : velocity.entrySet()) {
      NDArray v = e.getValue();
      Npy.writeFloat32(
          dir.resolve(fileName(e.getKey())), v.toFloatArray(), v.getShape().getShape());
    }
  }

  /**
   * Restores buffers written by {@link #save}; a parameter without a file starts from zero
   * momentum.
   */
  public void load(Path dir) {
    for (Pair<String, Parameter> p : parameters) {
      Path f = dir.resolve(fileName(p.getKey()));
      if (!Files.exists(f)) {
        continue;
      }
      Npy.Array a = Npy.read(f);
      NDArray w = p.getValue().getArray();
      if (!java.util.Arrays.equals(a.shape(), w.getShape().getShape())) {
        throw new UserInputException(
            f
                + ": shape "
                + Npy.shapeString(a.shape())
                + " does not match parameter "
                + p.getKey()
                + " "
                + w.getShape());
      }
      NDArray v = manager.create(a.toFloats(), w.getShape());
      NDArray old = velocity.put(p.getKey(), v);
      if (old != null) {
        old.close();
      }
    }
  }

  private static String fileName(String parameter) {
    return parameter.replaceAll("[^A-Za-z0-9_.-]", "_") + ".npy";
  }

  @Override
  public void close() {
    manager.close();
  }
}
