package io.qmargin.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDScope;

/**
 * The bisection of the reference entmax package ({@code entmax_bisect}), as the baseline of the
 * operator benchmark and, run long in float64, as its accuracy reference. For q = 1 only:
 *
 * <pre>
 *   X = (α−1)·θ;  τ_lo = max X − 1;  τ_hi = max X − (1/n)^(α−1);  p(τ) = [X − τ]_+^(1/(α−1))
 *   repeat: halve the step, move τ_lo to the midpoint when Σp(mid) − 1 has the sign of Σp(τ_lo) − 1
 *   finally p ← p / Σp
 * </pre>
 */
public final class PlainBisection {
  private PlainBisection() {}

  public static NDArray entmax(NDArray theta, double alpha, int halvings) {
    double k = 1.0 / (alpha - 1);
    NDArray p;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray x = theta.mul(alpha - 1);
      NDArray max = x.max(new int[] {1}, true);
      NDArray tauLo = max.sub(1.0);
      NDArray tauHi = max.sub(Math.pow(1.0 / theta.getShape().get(1), alpha - 1));
      NDArray fLo = x.sub(tauLo).maximum(0).pow(k).sum(new int[] {1}, true).sub(1.0);
      NDArray dm = tauHi.sub(tauLo);
      NDArray pm = null;
      for (int i = 0; i < halvings; i++) {
        try (NDScope step = new NDScope()) {
          step.suppressNotUsedWarning();
          NDArray newDm = dm.div(2);
          NDArray tauM = tauLo.add(newDm);
          NDArray newPm = x.sub(tauM).maximum(0).pow(k);
          NDArray fM = newPm.sum(new int[] {1}, true).sub(1.0);
          NDArray newLo = NDArrays.where(fM.mul(fLo).gte(0), tauM, tauLo);
          NDScope.unregister(newDm, newPm, newLo);
          dm = newDm;
          if (pm != null) {
            pm.close();
          }
          pm = newPm;
          tauLo = newLo;
        }
        NDScope.register(dm);
        NDScope.register(tauLo);
      }
      p = pm.div(pm.sum(new int[] {1}, true));
      pm.close();
      NDScope.unregister(p);
    }
    NDScope.register(p);
    return p;
  }
}
