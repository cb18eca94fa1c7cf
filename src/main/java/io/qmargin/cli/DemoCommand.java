package io.qmargin.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.UserInputException;
import io.qmargin.data.face.LfwFolder;
import io.qmargin.train.ConfigLoader;
import io.qmargin.train.LossComparison;
import io.qmargin.train.RunDirectory;
import io.qmargin.train.SeedRuns;
import io.qmargin.train.TrainConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qmargin demo}: Q-Margin against ArcFace and CosFace (and EntMax) under one recipe, judged
 * at low FAR on held-out identities.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    subcommands = DemoServeCommand.class,
    description = {
      "Train the same small network with qmargin, arcface, cosface (and entmax) and compare them.",
      "",
      "One recipe (src/main/resources/io/qmargin/train/demo-face.yaml, also configs/demo.yaml), one seed",
      "(--seeds N: N seeds, one after another); only the loss differs. Each figure of a method is",
      "followed by its difference from the first method with a 95% paired bootstrap interval",
      "(ns: not significant). Data: built-in synthetic identities (they exercise the pipeline, they",
      "are not faces), or LFW when --data or QMARGIN_DATA points at it (train on peopleDevTrain,",
      "evaluate on pairsDevTest and on all pairs among the peopleDevTest images).",
      "Writes OUT/report.md, OUT/results.json, ROC/DET plots and one run directory per method."
    })
final class DemoCommand implements Callable<Integer> {
  static final List<String> SPEAKER =
      List.of(io.qmargin.train.TrainingTasks.SPEAKER_LOSS, "arcface:s=32,m=0.2");
  static final List<String> FULL =
      List.of(
          "qmargin:alpha=1.25,s=35,m=0.2",
          "arcface:s=64,m=0.5",
          "cosface:s=64,m=0.35",
          "entmax:alpha=1.25,s=35");

  @Spec CommandSpec spec;

  @Option(
      names = "--task",
      defaultValue = "face",
      paramLabel = "face|speaker",
      converter = Tasks.class,
      description =
          "face (default) or speaker: the speaker demo trains on the labelled speech found here (FSDD, Debian speech packages) and compares qmargin with arcface on held-out utterances.")
  TrainConfig.Task task;

  @Option(
      names = "--out",
      defaultValue = "qmargin-demo",
      paramLabel = "DIR",
      description = "Output folder; default ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--quick", description = "A smaller run: fewer identities and epochs, no entmax.")
  boolean quick;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "LFW folder (or a folder holding lfw/); default: $QMARGIN_DATA/lfw if set, else synthetic data.")
  Path data;

  @Option(
      names = "--synthetic",
      description = "Use the built-in synthetic identities even when LFW is available.")
  boolean synthetic;

  @Option(
      names = "--loss",
      paramLabel = "SPEC",
      description =
          "Losses to compare (repeatable); default qmargin, arcface, cosface, entmax (no entmax with --quick).")
  List<String> losses;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override a key of the recipe (repeatable), as in qmargin train.")
  List<String> settings = new ArrayList<>();

  @Option(
      names = "--seeds",
      defaultValue = "1",
      paramLabel = "N",
      description =
          "Repeat the recipe over N seeds (the recipe's seed, seed + 1, ...), one after another, "
              + "each in OUT/seed-<seed>; the report gives means, spreads and differences pooled "
              + "over seeds. Default ${DEFAULT-VALUE}.")
  int seeds;

  @Option(
      names = "--bootstrap",
      defaultValue = "1000",
      paramLabel = "N",
      description =
          "Paired bootstrap replicates behind the difference intervals; default ${DEFAULT-VALUE}.")
  int replicates;

  @Option(
      names = "--resume",
      description =
          "Continue an interrupted demo in --out (give the same options): unfinished runs resume "
              + "from their checkpoints, finished ones are read back, missing ones start.")
  boolean resume;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws IOException {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (task == TrainConfig.Task.SPEAKER) {
      return speaker(o, err);
    }
    List<String> overrides = new ArrayList<>();
    Optional<LfwFolder> lfw = synthetic ? Optional.empty() : LfwFolder.locate(data, env);
    String dataNote;
    if (lfw.isPresent()) {
      overrides.addAll(lfwSettings(lfw.get()));
      overrides.addAll(
          List.of("data.people_file=peopleDevTrain.txt", "schedule.epochs=" + (quick ? 1 : 3)));
      dataNote =
          "LFW at "
              + lfw.get().root()
              + ": training on the people of peopleDevTrain.txt, evaluated on "
              + "pairsDevTest.txt and on all pairs among the peopleDevTest.txt images (disjoint identities).";
    } else {
      dataNote =
          "built-in synthetic identities (procedural patterns seen under random pose, light, blur, noise and "
              + "occlusion). They exercise the pipeline; they are NOT face data, and no result on them says anything "
              + "about faces. Held-out identities are disjoint from the training ones.";
    }
    if (quick) {
      overrides.addAll(QUICK_VALIDATION);
      if (lfw.isEmpty()) {
        overrides.addAll(QUICK_SYNTHETIC_DATA);
      }
    }
    overrides.addAll(settings);
    ObjectNode recipe = recipe("demo-face.yaml", overrides);
    TrainConfig c = ConfigLoader.bind(recipe, "demo recipe");
    List<String> specs =
        losses != null && !losses.isEmpty() ? losses : quick ? FULL.subList(0, 3) : FULL;
    String header =
        String.format(
            Locale.ROOT,
            "qmargin demo: %d methods, %s backbone (%d-d, %dx%d input), %s epochs, "
                + "batch %d, %s",
            specs.size(),
            c.model().backbone(),
            c.model().embeddingDim(),
            c.data().imageSize(),
            c.data().imageSize(),
            num(c.schedule().epochs()),
            c.batchSize(),
            seedText(c.seed()));
    return compare(
        o,
        err,
        recipe,
        specs,
        header,
        dataNote,
        "qmargin demo",
        methods ->
            String.format(
                Locale.ROOT,
                "%s%n%nRecipe (identical for every method; only the loss differs): "
                    + "%s backbone, %d-d embeddings, %dx%d inputs, SGD lr %s (momentum %s, weight decay %s), %s epochs, batch %d, "
                    + "%s. Full config: %s.%n%nData: %s%n%nEvaluated on: %s.",
                "Q-Margin against the margin losses under one recipe, judged at low FAR.",
                c.model().backbone(),
                c.model().embeddingDim(),
                c.data().imageSize(),
                c.data().imageSize(),
                num(c.optimizer().lr()),
                num(c.optimizer().momentum()),
                num(c.optimizer().weightDecay()),
                num(c.schedule().epochs()),
                c.batchSize(),
                seedText(c.seed()),
                configText(),
                dataNote,
                methods.get(0).primary().protocol()));
  }

  private Integer speaker(PrintWriter o, PrintWriter err) throws IOException {
    List<String> overrides = new ArrayList<>();
    if (data != null) {
      overrides.addAll(dataSettings(TrainConfig.Task.SPEAKER, TrainConfig.DataType.FOUND, data));
    }
    if (quick) {
      overrides.add("schedule.epochs=2");
      overrides.add("schedule.warmup_epochs=0.5");
      overrides.add("margin_schedule.start_epoch=0.5");
      overrides.add("margin_schedule.ramp_epochs=1");
    }
    overrides.addAll(settings);
    ObjectNode recipe = recipe("demo-speaker.yaml", overrides);
    TrainConfig c = ConfigLoader.bind(recipe, "speaker demo recipe");
    List<String> specs = losses != null && !losses.isEmpty() ? losses : SPEAKER;
    String found = new io.qmargin.train.SpeakerTask(c, env).description();
    String header =
        String.format(
            Locale.ROOT,
            "qmargin demo --task speaker: %d methods, %s speaker network (%d-d), "
                + "%s epochs, %d-frame crops, %d mel bins at %d Hz, %s",
            specs.size(),
            c.model().backbone(),
            c.model().embeddingDim(),
            num(c.schedule().epochs()),
            c.speech().cropFrames(),
            c.speech().numMelBins(),
            c.speech().sampleRate(),
            seedText(c.seed()));
    o.println("data: " + found);
    return compare(
        o,
        err,
        recipe,
        specs,
        header,
        found,
        "qmargin demo --task speaker",
        methods ->
            String.format(
                Locale.ROOT,
                "Q-Margin against ArcFace for speaker verification under one recipe.%n%n"
                    + "Recipe (identical for every method; only the loss differs): %s speaker network, %d-d embeddings, %d-frame "
                    + "training crops, %d mel bins at %d Hz, SGD lr %s with warm-up and exponential decay, margin ramp, %s epochs, "
                    + "batch %d, %s. Full config: %s.%n%nData: %s%n%nEvaluated on: %s (whole utterances, "
                    + "cosine scores).",
                c.model().backbone(),
                c.model().embeddingDim(),
                c.speech().cropFrames(),
                c.speech().numMelBins(),
                c.speech().sampleRate(),
                num(c.optimizer().lr()),
                num(c.schedule().epochs()),
                c.batchSize(),
                seedText(c.seed()),
                configText(),
                found,
                methods.get(0).primary().protocol()));
  }

  /** Trains every loss under the recipe into --out, writes the report and prints the comparison. */
  private Integer compare(
      PrintWriter o,
      PrintWriter err,
      ObjectNode recipe,
      List<String> specs,
      String header,
      String dataNote,
      String title,
      Function<List<LossComparison.Method>, String> intro)
      throws IOException {
    if (replicates < 1) {
      throw new UserInputException("--bootstrap must be >= 1, got " + replicates);
    }
    TrainConfig c = ConfigLoader.bind(recipe, title);
    long[] seedList = SeedRuns.seeds(c.seed(), seeds);
    if (!resume) {
      prepare(out);
    }
    err.println(header);
    err.println("data: " + dataNote);
    err.flush();
    long t0 = System.nanoTime();
    List<LossComparison.SeedRun> runs =
        LossComparison.train(
            recipe,
            specs,
            seedList,
            out,
            env,
            new TrainCommand.ConsoleTrainingListener(err),
            resume);
    err.println("comparing: paired bootstrap of the differences, " + replicates + " replicates");
    err.flush();
    String table =
        LossComparison.report(
            out,
            runs,
            title,
            intro.apply(runs.get(0).methods()),
            c.validation().far(),
            replicates,
            c.seed());
    printSummary(o, runs.get(0).methods(), table, t0);
    return 0;
  }

  /** "seed S" or "seeds S..S+N-1", for the header and the report. */
  private String seedText(long first) {
    return seeds == 1
        ? "seed " + first
        : String.format(Locale.ROOT, "%d seeds (%d to %d)", seeds, first, first + seeds - 1);
  }

  private String configText() {
    return seeds == 1 ? "runs/<method>/config.yaml" : "seed-<seed>/runs/<method>/config.yaml";
  }

  private void printSummary(
      PrintWriter o, List<LossComparison.Method> methods, String table, long t0) {
    o.println();
    o.println("Held-out verification: " + methods.get(0).primary().protocol());
    o.print(table);
    o.printf(
        Locale.ROOT,
        "%nmean support: classes with p > 0 per training sample (softmax losses: every class, %d)%n",
        methods.get(0).result().classes());
    var p = methods.get(0).primary().metrics();
    o.printf(
        Locale.ROOT,
        "(%,d target and %,d non-target trials; every difference in report.md)%n",
        p.targets(),
        p.nontargets());
    o.printf(
        Locale.ROOT,
        "report: %s, results: %s (%.0f s)%n",
        out.resolve("report.md"),
        out.resolve("results.json"),
        (System.nanoTime() - t0) / 1e9);
    o.flush();
  }

  /**
   * The settings {@code --data DIR} stands for, in the demo and in {@code qmargin train}: for face
   * data that is synthetic (the default) or LFW, the LFW folder DIR (or DIR/lfw) as {@code
   * data.type lfw}; otherwise (speech, face folders, RecordIO) {@code data.path=DIR}.
   */
  static List<String> dataSettings(
      TrainConfig.Task task, TrainConfig.DataType dataType, Path data) {
    if (task == TrainConfig.Task.FACE
        && (dataType == TrainConfig.DataType.SYNTHETIC || dataType == TrainConfig.DataType.LFW)) {
      return lfwSettings(LfwFolder.open(data));
    }
    return List.of("data.path=" + yamlText(data.toString()));
  }

  private static List<String> lfwSettings(LfwFolder lfw) {
    return List.of("data.type=lfw", "data.path=" + yamlText(lfw.root().toString()));
  }

  /** {@code text} as a YAML single-quoted scalar, so a path with ': ' or '#' stays one value. */
  private static String yamlText(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  static ObjectNode recipe(String resource, List<String> overrides) throws IOException {
    try (InputStream in = DemoCommand.class.getResourceAsStream("/io/qmargin/train/" + resource)) {
      return ConfigLoader.resolve(
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
          "demo recipe",
          overrides);
    }
  }

  /** --quick: the held-out set's sizes. */
  static final List<String> QUICK_VALIDATION =
      List.of("validation.identities=60", "validation.samples_per_identity=6");

  /** --quick on the built-in synthetic identities: the training set's sizes and epochs. */
  static final List<String> QUICK_SYNTHETIC_DATA =
      List.of("data.identities=100", "data.samples_per_identity=10", "schedule.epochs=2");

  /** Replaces an earlier demo's output; refuses to touch a non-empty folder that is not one. */
  static void prepare(Path out) throws IOException {
    if (!Files.exists(out)) {
      return;
    }
    boolean empty;
    try (Stream<Path> s = Files.list(out)) {
      empty = s.findAny().isEmpty();
    }
    if (empty) {
      return;
    }
    boolean earlierDemo;
    try (Stream<Path> s = Files.list(out)) {
      // one seed: OUT/runs; several: OUT/seed-<seed>/runs
      earlierDemo =
          Files.isDirectory(out.resolve("runs"))
              || s.anyMatch(
                  p ->
                      p.getFileName().toString().startsWith("seed-")
                          && Files.isDirectory(p.resolve("runs")));
    }
    if (!earlierDemo) {
      throw new UserInputException(
          out + " exists and is not an earlier demo's output: choose another --out");
    }
    RunDirectory.deleteTree(out);
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
  }

  static final class Tasks extends EnumWordConverter<TrainConfig.Task> {
    Tasks() {
      super(TrainConfig.Task.class);
    }
  }
}
