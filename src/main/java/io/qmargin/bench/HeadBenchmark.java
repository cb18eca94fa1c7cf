package io.qmargin.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.IValue;
import ai.djl.training.GradientCollector;
import io.qmargin.engine.TorchScriptModule;
import io.qmargin.head.DenseCosineStep;
import io.qmargin.head.DenseHead;
import io.qmargin.head.HeadStep;
import io.qmargin.head.LazyPrototypeTable;
import io.qmargin.head.PartialFcHead;
import io.qmargin.head.ScreeningPrecision;
import io.qmargin.head.SgdSettings;
import io.qmargin.head.SparseAlphaHead;
import io.qmargin.head.TrainableHead;
import io.qmargin.loss.VerificationLoss;
import io.qmargin.train.ConfigLoader;
import io.qmargin.train.TrainConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * Compares the classification heads on one training step (forward, backward into the embeddings,
 * prototype update) at a given number of classes: the dense head, the exact sparse head and Partial
 * FC. Prototypes are random unit vectors; each embedding is its class prototype mixed with noise so
 * that its target cosine is about {@code targetCosine}. Memory is measured (resident set growth and
 * Java heap, see {@link MemoryProbe}), not estimated.
 */
public final class HeadBenchmark {
  private HeadBenchmark() {}

  /**
   * @param steps timed steps per method (the median is reported)
   * @param warmup untimed steps before them: the sparse head's cost depends on how many rows moved
   *     recently, so a few dozen show its steady state
   */
  public record Settings(
      int classes,
      int dim,
      int batch,
      VerificationLoss loss,
      int steps,
      int warmup,
      int blockRows,
      double partialFcRate,
      double targetCosine,
      boolean dense,
      boolean partialFc,
      long seed,
      ScreeningPrecision screening) {}

  /** One method's figures; NaN or −1 where not measured. */
  public record MethodResult(
      String method,
      double stepSeconds,
      double forwardMatmulSeconds,
      long peakMemoryBytes,
      long prototypeStateBytes,
      long peakHeapBytes,
      double meanSupport,
      long candidateGrowths,
      double maxLossDiff,
      double maxGradDiff,
      double maxPrototypeGradDiff,
      double stepOverPairedProduct) {}

  public static List<MethodResult> run(Settings s, Consumer<String> log) {
    List<MethodResult> results = new ArrayList<>();
    // the optimizer settings of a training run with the defaults (defaults.yaml)
    TrainConfig.Optimizer optimizer = ConfigLoader.load(null, List.of()).optimizer();
    SgdSettings sgd = new SgdSettings(optimizer.momentum(), optimizer.weightDecay());
    double lr = optimizer.lr();
    Engine.getInstance().setRandomSeed((int) s.seed());
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray w0 = manager.randomNormal(new Shape(s.classes(), s.dim()));
      normaliseRowsInPlace(w0, 1 << 16);
      List<long[]> labels = new ArrayList<>();
      List<NDArray> batches = new ArrayList<>();
      java.util.SplittableRandom rnd = new java.util.SplittableRandom(s.seed());
      for (int t = 0; t < s.warmup() + s.steps(); t++) {
        long[] y = new long[s.batch()];
        for (int i = 0; i < y.length; i++) {
          y[i] = rnd.nextInt(s.classes());
        }
        NDArray wy = w0.get(manager.create(y));
        NDArray noise = manager.randomNormal(new Shape(s.batch(), s.dim()));
        noise = noise.div(noise.norm(new int[] {1}, true));
        double c = s.targetCosine();
        batches.add(wy.mul(c).add(noise.mul(Math.sqrt(1 - c * c))));
        labels.add(y);
      }
      long stateBytes = 2L * s.classes() * s.dim() * 4;

      // the physical floor: the forward matrix product over all prototypes, block by block, in
      // whichever orientation is faster here
      double batchFirst = forwardProduct(manager, s, w0, batches.get(0), false);
      double rowsFirst = forwardProduct(manager, s, w0, batches.get(0), true);
      double matmul = Math.min(batchFirst, rowsFirst);
      log.accept(
          String.format(java.util.Locale.ROOT, "forward matrix product alone: %.3f s", matmul));
      if (s.screening() == ScreeningPrecision.BF16) {
        log.accept(
            String.format(
                java.util.Locale.ROOT,
                "the same product in bfloat16 (the sparse head's screening): %.3f s",
                bfloat16Product(manager, s, w0, batches.get(0))));
      }
      // the same product once more right before each timed sparse step: the machine's speed drifts
      // between processes and within one, and the ratio of the two taken together drifts less
      DoubleSupplier paired =
          () -> productSeconds(manager, s, w0, batches.get(0), rowsFirst <= batchFirst);

      Comparison exact = null;
      if (s.dense()) {
        exact = compare(manager, s, w0, batches.get(0), labels.get(0), sgd);
        log.accept(
            String.format(
                java.util.Locale.ROOT,
                "exactness against dense: loss %.1e, dL/dx %.1e, dL/dW %.1e",
                exact.lossDiff(),
                exact.gradDiff(),
                exact.prototypeGradDiff()));
        System.gc();
      }
      Comparison none = new Comparison(Double.NaN, Double.NaN, Double.NaN);
      if (s.dense()) {
        results.add(
            measure(
                "dense",
                () -> new DenseHead(manager, s.loss(), w0, sgd),
                Double.NaN,
                none,
                stateBytes,
                manager,
                batches,
                labels,
                lr,
                s.warmup(),
                null));
        log.accept("dense head done");
      }
      results.add(
          measure(
              "sparse_exact",
              () -> new SparseAlphaHead(s.loss(), table(manager, s, w0, sgd)),
              matmul,
              exact == null ? none : exact,
              stateBytes,
              manager,
              batches,
              labels,
              lr,
              s.warmup(),
              paired));
      log.accept("sparse head done");
      if (s.partialFc()) {
        results.add(
            measure(
                "partial_fc_r" + s.partialFcRate(),
                () -> new PartialFcHead(manager, s.loss(), w0, sgd, s.partialFcRate(), s.seed()),
                Double.NaN,
                none,
                stateBytes,
                manager,
                batches,
                labels,
                lr,
                s.warmup(),
                null));
        log.accept("partial fc done");
      }
    }
    return results;
  }

  /**
   * Times one head's steps while a {@link MemoryProbe} records its peak memory; with {@code
   * paired}, also the forward product right before each timed step.
   */
  private static MethodResult measure(
      String method,
      java.util.function.Supplier<TrainableHead> create,
      double forwardMatmul,
      Comparison exact,
      long stateBytes,
      NDManager manager,
      List<NDArray> batches,
      List<long[]> labels,
      double lr,
      int warmup,
      DoubleSupplier paired) {
    Timed t;
    try (MemoryProbe probe = new MemoryProbe()) {
      try (TrainableHead head = create.get()) {
        t = timeSteps(manager, head, batches, labels, lr, warmup, paired);
      }
      probe.close();
      return new MethodResult(
          method,
          t.medianSeconds(),
          forwardMatmul,
          probe.peakNativeAndHeapGrowth(),
          stateBytes,
          probe.peakHeapUsed(),
          t.meanSupport(),
          t.growths(),
          exact.lossDiff(),
          exact.gradDiff(),
          exact.prototypeGradDiff(),
          t.medianPairedRatio());
    }
  }

  private record Timed(
      double medianSeconds, double meanSupport, long growths, double medianPairedRatio) {}

  private static Timed timeSteps(
      NDManager manager,
      TrainableHead head,
      List<NDArray> batches,
      List<long[]> labels,
      double lr,
      int warmup,
      DoubleSupplier paired) {
    double[] seconds = new double[batches.size()];
    double[] ratios = new double[Math.max(0, batches.size() - warmup)];
    double support = 0;
    long growths = 0;
    for (int t = 0; t < batches.size(); t++) {
      double product = paired != null && t >= warmup ? paired.getAsDouble() : Double.NaN;
      long start = System.nanoTime();
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = batches.get(t).duplicate();
        x.attach(scope);
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          HeadStep out = head.forward(x, scope.create(labels.get(t)));
          gc.backward(out.loss());
          support += out.meanSupport();
          growths += out.candidateGrowths();
        }
        x.getGradient().sum().getFloat();
        head.update(lr);
      }
      seconds[t] = (System.nanoTime() - start) / 1e9;
      if (t >= warmup) {
        ratios[t - warmup] = seconds[t] / product;
      }
    }
    // the warm-up steps are not counted
    double[] measured = Arrays.copyOfRange(seconds, warmup, seconds.length);
    Arrays.sort(measured);
    Arrays.sort(ratios);
    double ratio = paired == null || ratios.length == 0 ? Double.NaN : ratios[ratios.length / 2];
    return new Timed(measured[measured.length / 2], support / batches.size(), growths, ratio);
  }

  private record Comparison(double lossDiff, double gradDiff, double prototypeGradDiff) {}

  /**
   * One step of the dense computation and of the sparse head from the same prototypes: loss, ∂L/∂x
   * and ∂L/∂W. The dense side runs without a head of its own (no copy of W, no momentum) so that
   * both fit in memory at a million classes.
   */
  private static Comparison compare(
      NDManager manager, Settings s, NDArray w0, NDArray batch, long[] y, SgdSettings sgd) {
    try (NDManager scope = manager.newSubManager()) {
      double denseLoss;
      float[] denseGx;
      NDArray denseGw;
      try (NDManager d = scope.newSubManager()) {
        NDArray x = batch.duplicate();
        x.attach(d);
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          DenseCosineStep.Result r = DenseCosineStep.compute(s.loss(), x, w0, d.create(y));
          denseLoss = r.step().loss().getFloat();
          gc.backward(r.step().loss());
          denseGw = r.prototypeGradient();
          denseGw.attach(scope);
        }
        denseGx = x.getGradient().toFloatArray();
      }
      try (SparseAlphaHead sparse = new SparseAlphaHead(s.loss(), table(scope, s, w0, sgd))) {
        NDArray x = batch.duplicate();
        x.attach(scope);
        x.setRequiresGradient(true);
        double sparseLoss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          HeadStep out = sparse.forward(x, scope.create(y));
          sparseLoss = out.loss().getFloat();
          gc.backward(out.loss());
        }
        float[] gx = x.getGradient().toFloatArray();
        double gradDiff = 0;
        for (int i = 0; i < gx.length; i++) {
          gradDiff = Math.max(gradDiff, Math.abs(gx[i] - denseGx[i]));
        }
        // dense ∂L/∂W everywhere against the sparse rows (zero elsewhere), in place
        int[] rows = sparse.lastGradientRows();
        if (rows.length > 0) {
          NDIndex at = new NDIndex("{}", scope.create(rows));
          NDArray sparseRows =
              scope.create(sparse.lastGradients(), new Shape(rows.length, s.dim()));
          denseGw.set(at, denseGw.get(at).sub(sparseRows));
        }
        double wDiff = denseGw.abs().max().getFloat();
        return new Comparison(Math.abs(denseLoss - sparseLoss), gradDiff, wDiff);
      }
    }
  }

  private static LazyPrototypeTable table(
      NDManager manager, Settings s, NDArray w0, SgdSettings sgd) {
    return new LazyPrototypeTable(
        manager,
        w0,
        sgd,
        s.blockRows(),
        LazyPrototypeTable.DEFAULT_APPROXIMATION_CAP,
        s.screening());
  }

  /**
   * Median time of the blocked product in bfloat16, every block's maximum read as in the float32
   * one (conversions not timed).
   */
  private static double bfloat16Product(NDManager manager, Settings s, NDArray w0, NDArray batch) {
    try (TorchScriptModule kernels = LazyPrototypeTable.kernels(manager);
        IValue w = kernels.run("to_bfloat16", w0);
        IValue xT = kernels.run("to_bfloat16", batch.transpose().duplicate())) {
      return Timing.medianSeconds(
          s.steps(), () -> kernels.run("block_maxima", w, xT, (long) s.blockRows()).close());
    }
  }

  /**
   * Median time of the blocked product of a batch with all prototypes, as (n × B) or (B × n)
   * blocks.
   */
  private static double forwardProduct(
      NDManager manager, Settings s, NDArray w0, NDArray batch, boolean rowsFirst) {
    return Timing.medianSeconds(s.steps(), () -> productSeconds(manager, s, w0, batch, rowsFirst));
  }

  /** Time of one blocked product of a batch with all prototypes. */
  private static double productSeconds(
      NDManager manager, Settings s, NDArray w0, NDArray batch, boolean rowsFirst) {
    long begin = System.nanoTime();
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = batch.duplicate();
      x.attach(scope);
      NDArray xT = x.transpose();
      for (int start = 0; start < s.classes(); start += s.blockRows()) {
        int end = Math.min(s.classes(), start + s.blockRows());
        try (NDManager block = scope.newSubManager()) {
          NDArray rows = w0.get(block, new NDIndex(start + ":" + end));
          NDArray r = rowsFirst ? rows.matMul(xT) : x.matMul(rows.transpose());
          r.attach(block);
          r.max().getFloat();
        }
      }
    }
    return (System.nanoTime() - begin) / 1e9;
  }

  private static void normaliseRowsInPlace(NDArray w, int block) {
    long rows = w.getShape().get(0);
    for (long start = 0; start < rows; start += block) {
      long end = Math.min(rows, start + block);
      NDIndex range = new NDIndex(start + ":" + end);
      try (NDManager scope = w.getManager().newSubManager()) {
        NDArray b = w.get(scope, range);
        w.set(range, b.div(b.norm(new int[] {1}, true)));
      }
    }
  }
}
