package io.qmargin.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.qmargin.data.SyntheticCosines;
import io.qmargin.operator.AlphaDivergenceOperator;
import io.qmargin.operator.Posterior;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Times the alpha-divergence operator (bisection + safeguarded Newton) against the plain 50-halving
 * bisection of the reference entmax package, on the same engine and the same float32 logits θ =
 * s·cos of a realistic batch, and measures both against a 100-halving bisection in float64.
 */
public final class OperatorBenchmark {
  private OperatorBenchmark() {}

  /** The benchmark's options, as {@code qmargin bench operator} takes them. */
  public record Settings(
      int rows, List<Integer> classes, List<Double> alphas, double scale, int repeats, long seed) {}

  /** One (n, α) case: seconds per call and max |p − p_ref| for both algorithms. */
  public record Result(
      int rows,
      int classes,
      double alpha,
      double operatorSeconds,
      int operatorPasses,
      double operatorMaxError,
      double bisectionSeconds,
      int bisectionHalvings,
      double bisectionMaxError) {
    public double speedup() {
      return bisectionSeconds / operatorSeconds;
    }
  }

  public static final int BASELINE_HALVINGS = 50;
  public static final int REFERENCE_HALVINGS = 100;

  public static List<Result> run(Settings s, Consumer<String> progress) {
    List<Result> results = new ArrayList<>();
    for (int n : s.classes()) {
      SyntheticCosines batch = SyntheticCosines.generate(s.seed(), s.rows(), n);
      for (double alpha : s.alphas()) {
        try (NDManager manager = NDManager.newBaseManager()) {
          NDArray theta64 = manager.create(batch.cosines(), new Shape(s.rows(), n)).mul(s.scale());
          NDArray theta = theta64.toType(DataType.FLOAT32, false);
          // the reference sees exactly the float32 logits both algorithms see
          NDArray ref =
              PlainBisection.entmax(
                  theta.toType(DataType.FLOAT64, false), alpha, REFERENCE_HALVINGS);
          AlphaDivergenceOperator op = new AlphaDivergenceOperator(alpha);
          int[] passes = new int[1];
          double opSeconds =
              Timing.medianSeconds(
                  s.repeats(),
                  () -> {
                    try (Posterior p = op.apply(theta, null)) {
                      passes[0] = p.iterations();
                      p.p().toType(DataType.FLOAT32, false); // force evaluation
                    }
                  });
          double opError;
          try (Posterior p = op.apply(theta, null)) {
            opError = maxAbsDiff(p.p(), ref);
          }
          double bisSeconds =
              Timing.medianSeconds(
                  s.repeats(),
                  () -> PlainBisection.entmax(theta, alpha, BASELINE_HALVINGS).close());
          double bisError;
          try (NDArray p = PlainBisection.entmax(theta, alpha, BASELINE_HALVINGS)) {
            bisError = maxAbsDiff(p, ref);
          }
          Result r =
              new Result(
                  s.rows(),
                  n,
                  alpha,
                  opSeconds,
                  passes[0],
                  opError,
                  bisSeconds,
                  BASELINE_HALVINGS,
                  bisError);
          results.add(r);
          progress.accept(String.format(java.util.Locale.ROOT, "n=%d alpha=%.2f done", n, alpha));
        }
      }
    }
    return results;
  }

  private static double maxAbsDiff(NDArray a, NDArray ref) {
    return a.toType(DataType.FLOAT64, false).sub(ref).abs().max().getDouble();
  }
}
