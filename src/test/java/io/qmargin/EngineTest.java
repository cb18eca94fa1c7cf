package io.qmargin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Base for tests that use the tensor engine: one NDManager per test, closed afterwards. */
public abstract class EngineTest {
  protected NDManager manager;

  @BeforeEach
  void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  protected NDArray matrix(double[][] rows, DataType type) {
    int b = rows.length;
    int n = rows[0].length;
    double[] flat = new double[b * n];
    for (int i = 0; i < b; i++) {
      System.arraycopy(rows[i], 0, flat, i * n, n);
    }
    return manager.create(flat, new Shape(b, n)).toType(type, false);
  }

  protected static double[][] rows(NDArray a) {
    double[] flat = a.toType(DataType.FLOAT64, false).toDoubleArray();
    int b = (int) a.getShape().get(0);
    int n = (int) a.getShape().get(1);
    double[][] out = new double[b][n];
    for (int i = 0; i < b; i++) {
      System.arraycopy(flat, i * n, out[i], 0, n);
    }
    return out;
  }
}
