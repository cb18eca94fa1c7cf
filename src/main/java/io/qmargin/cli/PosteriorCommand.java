package io.qmargin.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.CosineBatchFiles;
import io.qmargin.io.Npy;
import io.qmargin.loss.LossInspector;
import io.qmargin.loss.LossSpec;
import io.qmargin.loss.VerificationLoss;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qmargin posterior}: evaluates a loss on given cosines and writes what it computed. */
@Command(
    name = "posterior",
    mixinStandardHelpOptions = true,
    description = {
      "Inspect any loss on given cosines (loss, posterior, gradient, support).",
      "",
      "Inspect any loss on given cosines: writes loss.npy (B), posterior.npy (B, n), grad.npy (B, n: the",
      "gradient of each row's loss with respect to that row's cosines) and support.npy (B: number of",
      "classes with p > 0) into the output directory, and prints a summary."
    },
    footerHeading = "%nLosses (--loss NAME or NAME:key=value,...):%n")
final class PosteriorCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--loss",
      required = true,
      paramLabel = "SPEC",
      description = "Loss spec, e.g. qmargin:alpha=1.25,s=35,m=0.2")
  String loss;

  @Option(
      names = "--cosines",
      required = true,
      paramLabel = "C.npy",
      description = "Cosines, float32 or float64, shape (B, n).")
  Path cosines;

  @Option(
      names = "--labels",
      required = true,
      paramLabel = "Y.npy",
      description = "Target class of each row, int32 or int64, shape (B).")
  Path labels;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Output directory (created if missing).")
  Path out;

  @Option(
      names = "--chunk-rows",
      defaultValue = "256",
      description = "Rows evaluated at once (memory bound); default ${DEFAULT-VALUE}.")
  int chunkRows;

  @Override
  public Integer call() throws Exception {
    VerificationLoss l = LossSpec.parse(loss);
    CosineBatchFiles.CosineBatch batch = CosineBatchFiles.read(cosines, labels);
    boolean f64 = batch.cosineType() == Npy.DType.FLOAT64;
    LossInspector.Inspection r;
    try (NDManager manager = NDManager.newBaseManager()) {
      r =
          LossInspector.inspect(
              manager,
              l,
              batch.cosines(),
              batch.labels(),
              batch.classes(),
              f64 ? DataType.FLOAT64 : DataType.FLOAT32,
              Math.max(1, chunkRows));
    }
    long b = batch.rows();
    long n = batch.classes();
    // the four files appear together or not at all
    try (AtomicFiles.OutputSet set = AtomicFiles.outputSet()) {
      if (f64) {
        Npy.writeFloat64(set.file(out.resolve("loss.npy")), r.loss(), b);
        Npy.writeFloat64(set.file(out.resolve("posterior.npy")), r.posterior(), b, n);
        Npy.writeFloat64(set.file(out.resolve("grad.npy")), r.grad(), b, n);
      } else {
        Npy.writeFloat32(set.file(out.resolve("loss.npy")), toFloats(r.loss()), b);
        Npy.writeFloat32(set.file(out.resolve("posterior.npy")), toFloats(r.posterior()), b, n);
        Npy.writeFloat32(set.file(out.resolve("grad.npy")), toFloats(r.grad()), b, n);
      }
      Npy.writeInt64(set.file(out.resolve("support.npy")), r.support(), b);
      set.commit();
    }
    PrintWriter pw = spec.commandLine().getOut();
    LossInspector.Summary s = r.summary();
    pw.printf(
        Locale.ROOT,
        "loss %s on %d rows x %d classes (%s)%n",
        l.spec(),
        b,
        n,
        f64 ? "float64" : "float32");
    pw.printf(Locale.ROOT, "  mean loss              %.6g%n", s.meanLoss());
    pw.printf(
        Locale.ROOT,
        "  support size           mean %.2f, max %d (of %d classes)%n",
        s.meanSupport(),
        s.maxSupport(),
        n);
    pw.printf(Locale.ROOT, "  rows with p_y = 0      %.4f%n", s.fractionTargetOutOfSupport());
    pw.printf(Locale.ROOT, "wrote loss.npy, posterior.npy, grad.npy, support.npy to %s%n", out);
    pw.flush();
    return 0;
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
