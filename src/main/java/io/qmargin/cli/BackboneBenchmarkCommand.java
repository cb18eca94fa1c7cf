package io.qmargin.cli;

import io.qmargin.bench.BackboneBenchmark;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qmargin bench backbone}: training and inference throughput of a face backbone. */
@Command(
    name = "backbone",
    mixinStandardHelpOptions = true,
    description = {
      "Training and inference throughput (images/s) of a face backbone on random 112x112 inputs.",
      "",
      "A training step is the step train takes, with the default configuration and a dense head (--loss, "
          + "--classes) on random labels: forward through backbone and head, backward, the backbone's SGD "
          + "(momentum 0.9, weight decay 5e-4, gradient clipping) and the prototype update. "
          + "Inference is the backbone alone in inference mode. Medians over --steps after --warmup steps. "
          + "Threads: QMARGIN_THREADS (default: all cores).",
      ""
    })
final class BackboneBenchmarkCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      defaultValue = "small",
      description =
          "Backbone: iresnet18|iresnet34|iresnet50|iresnet100|mobilefacenet|small (or r18, r50, mbf, ...); default ${DEFAULT-VALUE}.")
  String model;

  @Option(
      names = "--batch",
      defaultValue = "32",
      description = "Batch size; default ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--steps",
      defaultValue = "5",
      description = "Timed steps; default ${DEFAULT-VALUE}.")
  int steps;

  @Option(
      names = "--warmup",
      defaultValue = "3",
      description = "Untimed warm-up steps first; default ${DEFAULT-VALUE}.")
  int warmup;

  @Option(
      names = "--dim",
      defaultValue = "512",
      description = "Embedding dimension; default ${DEFAULT-VALUE}.")
  int dim;

  @Option(
      names = "--classes",
      defaultValue = "1000",
      description = "Classes of the dummy head; default ${DEFAULT-VALUE}.")
  int classes;

  @Option(
      names = "--loss",
      defaultValue = "arcface",
      description = "Loss spec of the dummy head; default ${DEFAULT-VALUE}.")
  String loss;

  @Option(names = "--no-inference", description = "Skip the inference measurement.")
  boolean noInference;

  @Option(names = "--seed", defaultValue = "1", description = "Seed; default ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", paramLabel = "DIR", description = "Write DIR/backbone-bench.json.")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintWriter pw = spec.commandLine().getOut();
    var settings =
        new BackboneBenchmark.Settings(
            model, dim, batch, warmup, steps, classes, loss, !noInference, seed);
    BackboneBenchmark.Result r =
        BackboneBenchmark.run(
            settings,
            msg -> {
              pw.println(msg);
              pw.flush();
            });
    String header =
        String.format(
            Locale.ROOT,
            "%-14s %12s %6s %8s %14s %12s %14s %12s",
            "model",
            "parameters",
            "batch",
            "threads",
            "train step s",
            "train img/s",
            "infer batch s",
            "infer img/s");
    pw.println(header);
    pw.println("-".repeat(header.length()));
    pw.printf(
        Locale.ROOT,
        "%-14s %,12d %6d %8d %14.3f %12.1f %14s %12s%n",
        r.model(),
        r.parameters(),
        r.batch(),
        r.threads(),
        r.trainStepMedianSeconds(),
        r.trainImagesPerSecond(),
        fixed(r.inferenceBatchMedianSeconds(), 3),
        fixed(r.inferenceImagesPerSecond(), 1));
    pw.flush();
    if (out != null) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("model", r.model());
      json.put("parameters", r.parameters());
      json.put("embedding_dim", r.embeddingDim());
      json.put("batch", r.batch());
      json.put("threads", r.threads());
      json.put("loss", loss);
      json.put("classes", classes);
      json.put("warmup_steps", r.warmupSteps());
      json.put("train_step_seconds", r.trainStepSeconds());
      json.put("train_step_median_seconds", r.trainStepMedianSeconds());
      json.put("train_images_per_second", r.trainImagesPerSecond());
      if (!noInference) {
        json.put("inference_batch_seconds", r.inferenceBatchSeconds());
        json.put("inference_batch_median_seconds", r.inferenceBatchMedianSeconds());
        json.put("inference_images_per_second", r.inferenceImagesPerSecond());
      }
      Path file = out.resolve("backbone-bench.json");
      AtomicFiles.writeString(file, Json.pretty(json));
      pw.println("wrote " + file);
    }
    return 0;
  }

  private static String fixed(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
