package io.qmargin.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.UserInputException;
import io.qmargin.eval.compare.Difference;
import io.qmargin.eval.compare.DifferenceReport;
import io.qmargin.eval.compare.PairedBootstrap;
import io.qmargin.eval.compare.PairedScoreFiles;
import io.qmargin.eval.compare.SubjectKeys;
import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.protocol.LabeledScores;
import io.qmargin.eval.report.EvaluationReport;
import io.qmargin.eval.report.SystemResult;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Several systems in one report: earlier result directories and/or score files. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Compare systems in one set of plots and one report. Each input is [NAME=]PATH, where PATH is",
      "a result directory of an earlier eval command (metrics.json + roc.tsv; its stored metrics are",
      "used as they are) or a score file 'score label' or 'enroll test score target|nontarget'",
      "(evaluated with the options given here)."
    })
public final class EvalCompareCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "2..*",
      paramLabel = "[NAME=]PATH",
      description = "Result directories or score files.")
  List<String> inputs;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
  Path out;

  @Option(
      names = "--title",
      defaultValue = "comparison",
      description = "Title of the plots and report (default: ${DEFAULT-VALUE}).")
  String title;

  @Option(
      names = "--bootstrap",
      paramLabel = "N",
      description = {
        "Replicates of the paired bootstrap of the differences between systems (0 = off).",
        "Default: 1000 when all inputs are keyed score files 'enroll test score label' scoring the",
        "same trials (subjects resampled), else off with a note; plain 'score label' files with the",
        "same labels line by line are only paired when N is given (trials resampled)."
      })
  Integer bootstrap;

  @Option(
      names = "--subjects",
      paramLabel = "FILE",
      description =
          "Two-column 'key subject' file naming the subject of trial keys (default: the text before"
              + " the first '/', or the key without extension and trailing _NUMBER).")
  Path subjects;

  @Option(
      names = "--bootstrap-seed",
      defaultValue = "1",
      description = "Seed of the bootstrap draws (default: ${DEFAULT-VALUE}).")
  long bootstrapSeed;

  @Mixin MetricOptionsMixin metricOptions;

  @Override
  public Integer call() throws Exception {
    MetricOptions opts = metricOptions.toOptions();
    List<SystemResult> systems = new ArrayList<>();
    List<Path> scoreFiles = new ArrayList<>();
    for (String in : inputs) {
      String[] np = EvalSupport.namedInput(in);
      Path p = Path.of(np[1]);
      boolean named = in.indexOf('=') > 0 && !Files.exists(Path.of(in));
      if (Files.isDirectory(p)) {
        systems.add(EvaluationReport.read(p, named ? np[0] : null));
      } else {
        scoreFiles.add(p);
        LabeledScores s = LabeledScores.readScoreFile(p, EvalSupport.progress());
        VerificationMetrics m =
            VerificationMetrics.computeInPlace(s.targets(), s.nontargets(), opts);
        systems.add(new SystemResult(np[0], m));
      }
    }
    PrintWriter stdout = spec.commandLine().getOut();
    BootstrapPlan plan = plan(systems, scoreFiles, opts);
    if (plan.differences == null) {
      EvalSupport.report(out, systems, title, stdout);
      if (plan.note != null) {
        stdout.println("differences: " + plan.note);
        stdout.flush();
      }
      return 0;
    }
    EvalSupport.report(
        out,
        systems,
        title,
        null,
        stdout,
        stage -> {},
        stage -> {
          Path json = stage.resolve("metrics.json");
          ObjectNode root = (ObjectNode) Json.mapper().readTree(json.toFile());
          root.set(
              "differences", DifferenceReport.json(plan.differences, plan.method, plan.replicates));
          AtomicFiles.writeString(json, Json.pretty(root));
          Path md = stage.resolve("report.md");
          AtomicFiles.writeString(
              md, Files.readString(md) + DifferenceReport.markdown(plan.differences, plan.method));
        });
    stdout.print(DifferenceReport.summary(plan.differences, plan.method));
    stdout.flush();
    return 0;
  }

  /** The differences to report (null when off) and why they are off. */
  private record BootstrapPlan(
      List<Difference> differences, String method, int replicates, String note) {}

  private BootstrapPlan plan(
      List<SystemResult> systems, List<Path> scoreFiles, MetricOptions opts) {
    boolean asked = bootstrap != null;
    if (asked && bootstrap < 0) {
      throw new UserInputException("--bootstrap must be >= 0, got " + bootstrap);
    }
    if (asked && bootstrap == 0) {
      return new BootstrapPlan(null, null, 0, null);
    }
    String whyNot = null;
    PairedScoreFiles.Paired paired = null;
    if (scoreFiles.size() != systems.size()) {
      whyNot = "result directories keep no per-trial scores; give score files to pair trials";
    } else {
      String[] why = new String[1];
      SubjectKeys keys = subjects == null ? SubjectKeys.byRule() : SubjectKeys.withFile(subjects);
      paired =
          PairedScoreFiles.pair(
              systems.stream().map(SystemResult::name).toList(), scoreFiles, keys, why);
      whyNot = why[0];
      if (paired != null && paired.unit() == PairedBootstrap.Unit.TRIALS && !asked) {
        whyNot =
            "'score label' files carry no subjects: give --bootstrap N to resample trials"
                + " (too narrow when trials share subjects)";
        paired = null;
      }
    }
    if (paired == null) {
      if (asked) {
        throw new UserInputException("--bootstrap: " + whyNot);
      }
      return new BootstrapPlan(null, null, 0, "no bootstrap (" + whyNot + ")");
    }
    int n = asked ? bootstrap : DEFAULT_REPLICATES;
    PairedBootstrap.Unit unit = paired.unit();
    String method =
        "paired bootstrap, "
            + n
            + " replicates resampling "
            + (unit == PairedBootstrap.Unit.SUBJECTS
                ? paired.trials().subjectCount() + " subjects"
                : paired.trials().size() + " trials (no subjects in 'score label' files)")
            + ", seed "
            + bootstrapSeed
            + ", percentile intervals";
    List<Difference> diffs =
        new PairedBootstrap(paired.trials(), opts)
            .run(new PairedBootstrap.Settings(n, opts.confidenceLevel(), bootstrapSeed, unit));
    return new BootstrapPlan(diffs, method, n, null);
  }

  private static final int DEFAULT_REPLICATES = 1000;
}
