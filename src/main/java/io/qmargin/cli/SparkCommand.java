package io.qmargin.cli;

import io.qmargin.UserInputException;
import io.qmargin.data.speech.KaldiDataDir;
import io.qmargin.data.speech.SpeakerFolders;
import io.qmargin.data.speech.Utterance;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.protocol.TrialList;
import io.qmargin.eval.report.SystemResult;
import io.qmargin.spark.ScoreBenchmark;
import io.qmargin.spark.SparkJobs;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qmargin spark}: the jobs of {@code io.qmargin.spark}, in Spark local mode on this machine
 * or, under {@code spark-submit}, on the cluster it names (docs/spark.md). The command classes use
 * no Spark type, so that the rest of the tool runs without Spark on the class path.
 */
@Command(
    name = "spark",
    mixinStandardHelpOptions = true,
    description = {
      "Jobs on Apache Spark (docs/spark.md): embedding, exhaustive scoring with exact metrics,",
      "dataset cleaning and 1:N search. Local mode on this machine by default (--master);",
      "under spark-submit the submission's master and settings. Embedding tables are Parquet",
      "with columns id, label, embedding (array of float), as 'spark embed' writes them."
    },
    subcommands = {
      SparkCommand.Embed.class,
      SparkCommand.Score.class,
      SparkCommand.Clean.class,
      SparkCommand.Search.class,
      SparkCommand.Bench.class
    })
final class SparkCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every job takes. */
  static final class Common {
    @Option(
        names = "--master",
        defaultValue = "local[*]",
        paramLabel = "URL",
        description =
            "Spark master when not run by spark-submit (default: ${DEFAULT-VALUE}, every core of this machine).")
    String master;

    @Option(
        names = "--block-rows",
        defaultValue = "4096",
        paramLabel = "N",
        description =
            "Embeddings per block of the blocked products; a task scores two blocks (default: ${DEFAULT-VALUE}).")
    int blockRows;

    SparkJobs jobs() {
      if (blockRows < 1) {
        throw new UserInputException("--block-rows must be at least 1, got " + blockRows);
      }
      try {
        Class.forName("org.apache.spark.sql.SparkSession");
      } catch (ClassNotFoundException e) {
        throw new UserInputException(
            "Spark is not on the class path: run through ./qmargin or spark-submit (docs/spark.md)");
      }
      return new SparkJobs(master, blockRows);
    }
  }

  @Command(
      name = "embed",
      mixinStandardHelpOptions = true,
      description = {
        "Embed images or audio with a trained model, as 'qmargin embed' does, into a Parquet table",
        "(id, label, embedding). Samples: --images DIR|LIST or --audio DIR|wav.scp (ids and",
        "listing as in 'qmargin embed'; the label is the first folder of the id), or --table with",
        "a Parquet or CSV (header) table of path and optional id and label columns. Unreadable",
        "samples are skipped and counted."
      })
  static final class Embed implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin Common common;

    @Mixin ModelDirOption modelDir;

    @Option(
        names = "--images",
        paramLabel = "DIR|LIST",
        description = "Image folder or list file (face models).")
    Path images;

    @Option(
        names = "--audio",
        paramLabel = "DIR|wav.scp",
        description = "Audio folder or Kaldi wav.scp (speaker models).")
    Path audio;

    @Option(
        names = "--table",
        paramLabel = "T.parquet|T.csv",
        description = "Samples as a table: path, optional id and label.")
    String table;

    @Option(
        names = "--speaker",
        description = "With --table: the paths are audio for a speaker model.")
    boolean speaker;

    @Option(
        names = "--batch",
        defaultValue = "64",
        description = "Images per forward pass; default ${DEFAULT-VALUE}.")
    int batch;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "E.parquet",
        description = "The embedding table.")
    String out;

    @Override
    public Integer call() throws Exception {
      int given = (images != null ? 1 : 0) + (audio != null ? 1 : 0) + (table != null ? 1 : 0);
      if (given != 1) {
        throw new UserInputException("give exactly one of --images, --audio and --table");
      }
      if (batch < 1) {
        throw new UserInputException("--batch must be at least 1, got " + batch);
      }
      SparkJobs.Samples samples =
          table != null
              ? new SparkJobs.Samples(null, table)
              : new SparkJobs.Samples(listed(), null);
      boolean isAudio = audio != null || speaker;
      SparkJobs.EmbedSummary s = common.jobs().embed(samples, modelDir.model, isAudio, batch, out);
      PrintWriter o = spec.commandLine().getOut();
      for (String reason : s.firstSkipped()) {
        spec.commandLine().getErr().println("skipped " + reason);
      }
      if (s.skipped() > s.firstSkipped().size()) {
        spec.commandLine()
            .getErr()
            .println("... and " + (s.skipped() - s.firstSkipped().size()) + " more skipped");
      }
      o.printf(
          Locale.ROOT,
          "%d embeddings -> %s%s%n",
          s.embedded(),
          out,
          s.skipped() > 0 ? " (" + s.skipped() + " inputs skipped)" : "");
      o.flush();
      return 0;
    }

    /** (id, label, path) of the listed samples, listed as qmargin embed lists them. */
    private List<String[]> listed() throws java.io.IOException {
      List<String[]> rows = new ArrayList<>();
      if (images != null) {
        List<String> keys = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        EmbedCommand.listImages(images, keys, files);
        for (int i = 0; i < keys.size(); i++) {
          rows.add(new String[] {keys.get(i), firstFolder(keys.get(i)), absolute(files.get(i))});
        }
      } else {
        List<Utterance> utts;
        if (Files.isDirectory(audio)) {
          utts = SpeakerFolders.unlabelled(audio);
        } else if (Files.isRegularFile(audio)) {
          utts = KaldiDataDir.readWavScp(audio, audio.toAbsolutePath().getParent());
        } else {
          throw new UserInputException(audio + ": no such folder or wav.scp file");
        }
        for (Utterance u : utts) {
          rows.add(new String[] {u.id(), firstFolder(u.id()), absolute(u.path())});
        }
      }
      if (rows.isEmpty()) {
        throw new UserInputException((images != null ? images : audio) + ": no samples found");
      }
      return rows;
    }

    private static String absolute(Path p) {
      return p.toAbsolutePath().normalize().toString();
    }

    /**
     * The identity of an id such as Aaron_Peirsol/Aaron_Peirsol_0001.jpg; null without a folder.
     */
    static String firstFolder(String id) {
      int slash = id.indexOf('/');
      return slash > 0 ? id.substring(0, slash) : null;
    }
  }

  @Command(
      name = "score",
      mixinStandardHelpOptions = true,
      description = {
        "Score every pair with exact metrics, as 'qmargin eval' computes them: all pairs of a",
        "labelled table (--embeddings; a target when the labels are equal), every --gallery x",
        "--probe pair, or the trials of --trials (with --embeddings). Writes DIR/metrics.json,",
        "report.md and ROC/DET plots, as 'qmargin eval' does; the scores are never collected."
      })
  static final class Score implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin Common common;
    @Mixin MetricOptionsMixin metricOptions;

    @Option(
        names = "--embeddings",
        paramLabel = "E.parquet",
        description = "Embedding table: all pairs, or the ids of --trials.")
    String embeddings;

    @Option(
        names = "--gallery",
        paramLabel = "G.parquet",
        description = "Gallery table (with --probe).")
    String gallery;

    @Option(
        names = "--probe",
        paramLabel = "P.parquet",
        description = "Probe table (with --gallery).")
    String probe;

    @Option(
        names = "--trials",
        paramLabel = "FILE",
        description = "Trial list (as 'qmargin eval trials' reads it).")
    Path trials;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(
        names = "--name",
        description = "System name in the report (default: the input's file name).")
    String name;

    @Override
    public Integer call() throws Exception {
      if ((gallery == null) != (probe == null)) {
        throw new UserInputException("--gallery and --probe go together");
      }
      if ((embeddings == null) == (gallery == null)) {
        throw new UserInputException("give either --embeddings or --gallery with --probe");
      }
      if (trials != null && embeddings == null) {
        throw new UserInputException("--trials needs --embeddings (the table of its ids)");
      }
      TrialList t = trials == null ? null : TrialList.read(trials, EvalSupport.progress());
      VerificationMetrics m =
          common
              .jobs()
              .score(
                  new SparkJobs.ScoreInput(embeddings, gallery, probe, t),
                  metricOptions.toOptions());
      String input = trials != null ? trials.toString() : embeddings != null ? embeddings : probe;
      String n = name != null ? name : EvalSupport.namedInput(input)[0];
      Map<String, Object> extras = new LinkedHashMap<>();
      extras.put(
          "protocol",
          trials != null
              ? "trial list " + trials + " on " + embeddings
              : embeddings != null
                  ? "all pairs of " + embeddings
                  : "gallery " + gallery + " x probe " + probe);
      EvalSupport.report(
          out, List.of(new SystemResult(n, m, extras)), n, spec.commandLine().getOut());
      return 0;
    }
  }

  @Command(
      name = "clean",
      mixinStandardHelpOptions = true,
      description = {
        "Clean a labelled training set from its embeddings: per identity the centroid; mislabel",
        "candidates (images closer to another identity's centroid than to their own identity's",
        "centroid without them); merge candidates (identity pairs whose centroids' cosine is at",
        "least --merge-threshold); near-duplicate image pairs (cosine at least",
        "--duplicate-threshold). Writes DIR/centroids.parquet, mislabels.parquet, merges.parquet,",
        "duplicates.parquet and report.md."
      })
  static final class Clean implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin Common common;

    @Option(
        names = "--embeddings",
        required = true,
        paramLabel = "E.parquet",
        description = "Labelled embedding table.")
    String embeddings;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    String out;

    @Option(
        names = "--merge-threshold",
        defaultValue = "0.8",
        description =
            "Centroid cosine from which two identities are merge candidates (default: ${DEFAULT-VALUE}).")
    double mergeThreshold;

    @Option(
        names = "--duplicate-threshold",
        defaultValue = "0.95",
        description =
            "Cosine from which two images are near-duplicates (default: ${DEFAULT-VALUE}).")
    double duplicateThreshold;

    @Override
    public Integer call() {
      for (double t : new double[] {mergeThreshold, duplicateThreshold}) {
        if (!(t >= -1 && t <= 1)) {
          throw new UserInputException("a cosine threshold must be in [-1, 1], got " + t);
        }
      }
      String report = common.jobs().clean(embeddings, out, mergeThreshold, duplicateThreshold);
      PrintWriter o = spec.commandLine().getOut();
      o.print(report);
      o.println("wrote " + out + "/{centroids,mislabels,merges,duplicates}.parquet, report.md");
      o.flush();
      return 0;
    }
  }

  @Command(
      name = "search",
      mixinStandardHelpOptions = true,
      description = {
        "1:N search: the exact top k gallery entries of every probe by cosine (ties by gallery",
        "id), as a Parquet table (probe_id, probe_label, rank, gallery_id, gallery_label, score)."
      })
  static final class Search implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin Common common;

    @Option(
        names = "--gallery",
        required = true,
        paramLabel = "G.parquet",
        description = "Gallery embedding table.")
    String gallery;

    @Option(
        names = "--probe",
        required = true,
        paramLabel = "P.parquet",
        description = "Probe embedding table.")
    String probe;

    @Option(
        names = "--top-k",
        defaultValue = "10",
        paramLabel = "K",
        description = "Results per probe (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "R.parquet",
        description = "The results table.")
    String out;

    @Override
    public Integer call() {
      if (k < 1) {
        throw new UserInputException("--top-k must be at least 1, got " + k);
      }
      long probes = common.jobs().search(gallery, probe, k, out);
      PrintWriter o = spec.commandLine().getOut();
      o.printf(Locale.ROOT, "top %d of %d probes -> %s%n", k, probes, out);
      o.flush();
      return 0;
    }
  }

  @Command(
      name = "bench",
      mixinStandardHelpOptions = true,
      description = {
        "Benchmark: all pairs of N synthetic embeddings with exact metrics on Spark and on one",
        "machine (what 'qmargin eval' runs), checks that both agree exactly, prints pairs per",
        "second per core of both (docs/benchmarks.md). The single-machine side holds every score:",
        "a heap of about 16 bytes per pair (7.2 GB at 30,000 embeddings; QMARGIN_JAVA_OPTS)."
      })
  static final class Bench implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin Common common;

    @Option(
        names = "--embeddings",
        defaultValue = "30000",
        description = "Embeddings (default: ${DEFAULT-VALUE}, 4.5e8 pairs).")
    int n;

    @Option(
        names = "--dim",
        defaultValue = "128",
        description = "Dimension (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(
        names = "--identities",
        defaultValue = "3000",
        description = "Identities (default: ${DEFAULT-VALUE}).")
    int identities;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
      if (n < 2 || dim < 1 || identities < 1 || identities > n / 2) {
        throw new UserInputException(
            "need at least 2 embeddings, a positive dimension and 1 to N/2 identities");
      }
      ScoreBenchmark.Result r =
          common.jobs().benchScore(new ScoreBenchmark.Config(n, dim, identities, seed));
      PrintWriter o = spec.commandLine().getOut();
      o.printf(
          Locale.ROOT,
          "%d embeddings (dimension %d, %d identities): %d pairs, %d targets%n",
          n,
          dim,
          identities,
          r.pairs(),
          r.metrics().targets());
      o.printf(
          Locale.ROOT,
          "spark (%d cores):   %8.1f s  %.3g pairs/s/core%n",
          r.sparkCores(),
          r.sparkSeconds(),
          r.pairs() / r.sparkSeconds() / r.sparkCores());
      o.printf(
          Locale.ROOT,
          "one machine (eval): %8.1f s  %.3g pairs/s/core (%d cores)%n",
          r.machineSeconds(),
          r.pairs() / r.machineSeconds() / r.machineCores(),
          r.machineCores());
      o.printf(
          Locale.ROOT,
          "metrics identical: %s (EER %.6f, TAR@FAR=1e-4 %.6f)%n",
          r.identical() ? "yes" : "NO",
          r.metrics().eer(),
          r.metrics().tarAtFar(1e-4).tar());
      o.flush();
      return r.identical() ? 0 : 1;
    }
  }
}
