package io.qmargin.cli;

import io.qmargin.bench.HeadBenchmark;
import io.qmargin.head.ScreeningPrecision;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import io.qmargin.loss.LossSpec;
import io.qmargin.train.ConfigLoader;
import io.qmargin.train.TrainConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qmargin bench head}: dense head, exact sparse head and Partial FC on one training step.
 */
@Command(
    name = "head",
    mixinStandardHelpOptions = true,
    description = {
      "Compare the classification heads at scale: dense, exact sparse, Partial FC.",
      "",
      "On random unit prototypes and embeddings with a realistic target cosine, times one training step",
      "(forward, backward into the embeddings, SGD update of the prototypes) for the dense head, the",
      "exact sparse head and Partial FC, measures peak memory (resident set growth, and Java heap), and",
      "checks the sparse head against the dense one (max abs difference of loss and gradients)."
    })
final class HeadBenchmarkCommand implements Callable<Integer> {
  /** The head settings of defaults.yaml: the benchmark's defaults are the training defaults. */
  private static final TrainConfig.Head DEFAULTS = ConfigLoader.load(null, List.of()).head();

  @Spec CommandSpec spec;

  @Option(
      names = "--classes",
      defaultValue = "100000",
      description = "Classes C; default ${DEFAULT-VALUE}.")
  int classes;

  @Option(
      names = "--dim",
      defaultValue = "512",
      description = "Embedding dimension D; default ${DEFAULT-VALUE}.")
  int dim;

  @Option(
      names = "--batch",
      defaultValue = "128",
      description = "Batch size B; default ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--loss",
      defaultValue = "qmargin",
      description = "Loss spec (alpha > 1 for the sparse head); default ${DEFAULT-VALUE}.")
  String loss;

  @Option(
      names = "--steps",
      defaultValue = "3",
      description = "Timed steps per method (after one warm-up); default ${DEFAULT-VALUE}.")
  int steps;

  @Option(
      names = "--warmup",
      defaultValue = "1",
      description =
          "Untimed steps per method before the timed ones; the sparse head reaches its steady state after a few dozen; default ${DEFAULT-VALUE}.")
  int warmup;

  @Option(
      names = "--block",
      description =
          "Prototype rows per streamed block; default ${DEFAULT-VALUE} (head.block_rows).")
  int block = DEFAULTS.blockRows();

  @Option(
      names = "--partial-fc-rate",
      description = "Sample rate r of Partial FC; default ${DEFAULT-VALUE} (head.sample_rate).")
  double rate = DEFAULTS.sampleRate();

  @Option(
      names = "--target-cosine",
      defaultValue = "0.5",
      description = "Cosine of each embedding to its class prototype; default ${DEFAULT-VALUE}.")
  double targetCosine;

  @Option(names = "--no-dense", description = "Skip the dense head (when B x C does not fit).")
  boolean noDense;

  @Option(
      names = "--screening",
      description =
          "Sparse head: auto, bf16 or fp32, the format "
              + "of its candidate search (docs/heads.md); auto picks bf16 where the CPU has bfloat16 instructions; default ${DEFAULT-VALUE} (head.screening).")
  String screening = DEFAULTS.screening();

  @Option(names = "--no-partial-fc", description = "Skip Partial FC.")
  boolean noPartialFc;

  @Option(names = "--seed", defaultValue = "1", description = "Seed; default ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", paramLabel = "DIR", description = "Write DIR/bench.json.")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintWriter pw = spec.commandLine().getOut();
    var settings =
        new HeadBenchmark.Settings(
            classes,
            dim,
            batch,
            LossSpec.parse(loss),
            Math.max(1, steps),
            Math.max(1, warmup),
            block,
            rate,
            targetCosine,
            !noDense,
            !noPartialFc,
            seed,
            ScreeningPrecision.parse(screening));
    pw.printf(
        Locale.ROOT,
        "head benchmark: C=%,d D=%d B=%d loss=%s, screening %s, threads=%s, huge pages %s, memory reuse %s%n",
        classes,
        dim,
        batch,
        settings.loss().spec(),
        settings.screening(),
        System.getProperty("ai.djl.pytorch.num_threads", "default"),
        "1".equals(System.getenv("THP_MEM_ALLOC_ENABLE")) ? "on" : "off",
        System.getenv("MALLOC_MMAP_THRESHOLD_") != null ? "on" : "off");
    pw.flush();
    List<HeadBenchmark.MethodResult> results =
        HeadBenchmark.run(
            settings,
            msg -> {
              pw.println("  " + msg);
              pw.flush();
            });
    String header =
        String.format(
            Locale.ROOT,
            "%-18s %9s %11s %13s %11s %9s %8s %10s %10s %10s",
            "method",
            "step s",
            "peak mem",
            "beyond W+v",
            "heap peak",
            "support",
            "redone",
            "loss diff",
            "dL/dx diff",
            "dL/dW diff");
    pw.println(header);
    pw.println("-".repeat(header.length()));
    for (var r : results) {
      pw.printf(
          Locale.ROOT,
          "%-18s %9.3f %11s %13s %11s %9.1f %8d %10s %10s %10s%n",
          r.method(),
          r.stepSeconds(),
          gib(r.peakMemoryBytes()),
          gib(r.peakMemoryBytes() - r.prototypeStateBytes()),
          gib(r.peakHeapBytes()),
          r.meanSupport(),
          r.candidateGrowths(),
          sci(r.maxLossDiff()),
          sci(r.maxGradDiff()),
          sci(r.maxPrototypeGradDiff()));
    }
    results.stream()
        .filter(r -> r.method().equals("sparse_exact"))
        .findFirst()
        .ifPresent(
            r -> {
              pw.printf(
                  Locale.ROOT,
                  "sparse step / forward matrix product alone = %.2f (%.3f s)%n",
                  r.stepSeconds() / r.forwardMatmulSeconds(),
                  r.forwardMatmulSeconds());
              pw.printf(
                  Locale.ROOT,
                  "sparse step / the same product timed right before it = %.2f (median of %d steps)%n",
                  r.stepOverPairedProduct(),
                  settings.steps());
            });
    pw.flush();
    if (out != null) {
      var json = new java.util.LinkedHashMap<String, Object>();
      json.put("classes", classes);
      json.put("dim", dim);
      json.put("batch", batch);
      json.put("loss", settings.loss().spec());
      json.put("warmup_steps", settings.warmup());
      json.put("timed_steps", settings.steps());
      json.put("block_rows", block);
      json.put("screening", settings.screening().toString());
      json.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
      json.put(
          "thp_mem_alloc_enable", System.getenv().getOrDefault("THP_MEM_ALLOC_ENABLE", "unset"));
      json.put(
          "malloc_mmap_threshold", System.getenv().getOrDefault("MALLOC_MMAP_THRESHOLD_", "unset"));
      json.put("methods", results.stream().map(HeadBenchmarkCommand::toJson).toList());
      AtomicFiles.writeString(out.resolve("bench.json"), Json.pretty(json));
      pw.println("wrote " + out.resolve("bench.json"));
    }
    return 0;
  }

  private static java.util.Map<String, Object> toJson(HeadBenchmark.MethodResult r) {
    var m = new java.util.LinkedHashMap<String, Object>();
    m.put("method", r.method());
    m.put("step_seconds", r.stepSeconds());
    if (!Double.isNaN(r.forwardMatmulSeconds())) {
      m.put("forward_matmul_seconds", r.forwardMatmulSeconds());
    }
    if (!Double.isNaN(r.stepOverPairedProduct())) {
      m.put("step_over_paired_product", r.stepOverPairedProduct());
    }
    m.put("peak_memory_bytes", r.peakMemoryBytes());
    m.put("prototype_state_bytes", r.prototypeStateBytes());
    m.put("peak_heap_bytes", r.peakHeapBytes());
    m.put("mean_support", r.meanSupport());
    m.put("candidate_growths", r.candidateGrowths());
    if (!Double.isNaN(r.maxLossDiff())) {
      m.put("max_loss_diff", r.maxLossDiff());
      m.put("max_grad_diff", r.maxGradDiff());
      m.put("max_prototype_grad_diff", r.maxPrototypeGradDiff());
    }
    return m;
  }

  private static String gib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
  }

  private static String sci(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1e", v);
  }
}
