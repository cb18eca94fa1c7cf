package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.qmargin.UserInputException;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import io.qmargin.io.Npy;
import io.qmargin.loss.VerificationLoss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the dense head and Partial FC share: the prototype matrix W and its momentum v, stored
 * explicitly in engine memory, and the prototype gradient kept between forward and update.
 */
abstract class StoredPrototypes implements TrainableHead {
  protected VerificationLoss loss;
  protected final SgdSettings sgd;
  protected final NDManager manager;
  protected final NDArray w;
  protected final NDArray v;
  protected NDArray pendingGradient;

  /**
   * Forward passes so far (Partial FC draws its sample from it, so a resumed run draws the same).
   */
  protected long steps;

  StoredPrototypes(NDManager parent, VerificationLoss loss, NDArray initial, SgdSettings sgd) {
    this.loss = loss;
    this.sgd = sgd;
    this.manager = parent.newSubManager();
    this.w = initial.toType(DataType.FLOAT32, false).duplicate();
    w.attach(manager);
    this.v = w.zerosLike();
  }

  /** Keeps the prototype gradient of this forward pass (replacing an unused earlier one). */
  protected void keepGradient(NDArray gradient) {
    if (pendingGradient != null) {
      pendingGradient.close();
    }
    pendingGradient = gradient;
    pendingGradient.attach(manager);
  }

  @Override
  public int classes() {
    return (int) w.getShape().get(0);
  }

  @Override
  public int dim() {
    return (int) w.getShape().get(1);
  }

  @Override
  public float[] prototypeRows(int[] rows) {
    try (NDManager scope = manager.newSubManager()) {
      return w.get(scope.create(rows)).toFloatArray();
    }
  }

  @Override
  public void setLoss(VerificationLoss newLoss) {
    this.loss = newLoss;
  }

  @Override
  public void resetRows(int[] rows, float[] values) {
    try (NDManager scope = manager.newSubManager()) {
      NDIndex at = new NDIndex("{}", scope.create(rows));
      w.set(at, scope.create(values, new Shape(rows.length, dim())));
      v.set(at, scope.zeros(new Shape(rows.length, dim()), DataType.FLOAT32));
    }
  }

  @Override
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    Npy.writeFloat32(dir.resolve("prototypes.npy"), w.toFloatArray(), classes(), dim());
    Npy.writeFloat32(dir.resolve("momentum.npy"), v.toFloatArray(), classes(), dim());
    AtomicFiles.writeString(
        dir.resolve("state.json"), Json.pretty(java.util.Map.of("steps", steps)));
  }

  @Override
  public void restore(Path dir) throws IOException {
    for (String name : new String[] {"prototypes.npy", "momentum.npy"}) {
      Npy.Array a = Npy.read(dir.resolve(name)).requireRank(2, name);
      if (a.shape()[0] != classes() || a.shape()[1] != dim()) {
        throw new UserInputException(
            a.file()
                + ": shape "
                + Npy.shapeString(a.shape())
                + " does not match the head ("
                + classes()
                + ", "
                + dim()
                + ")");
      }
      try (NDManager scope = manager.newSubManager()) {
        (name.startsWith("p") ? w : v)
            .set(new NDIndex(":"), scope.create(a.toFloats(), new Shape(classes(), dim())));
      }
    }
    steps = Json.mapper().readTree(dir.resolve("state.json").toFile()).get("steps").asLong();
    if (pendingGradient != null) {
      pendingGradient.close();
      pendingGradient = null;
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
