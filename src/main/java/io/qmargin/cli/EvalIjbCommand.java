package io.qmargin.cli;

import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.protocol.Embeddings;
import io.qmargin.eval.protocol.IjbMeta;
import io.qmargin.eval.protocol.LabeledScores;
import io.qmargin.eval.protocol.TemplatePairs;
import io.qmargin.eval.protocol.TemplatePooling;
import io.qmargin.eval.report.SystemResult;
import io.qmargin.io.Npy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** IJB-B / IJB-C 1:1 verification from image features and the insightface meta files. */
@Command(
    name = "ijb",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate IJB-B / IJB-C 1:1 verification: image features -> template features (flip sum,",
      "optional normalisation and detector weighting, media averaging, template pooling) -> cosine",
      "scores of the template pairs -> metrics. Writes the pair scores to DIR/scores.npy (float32,",
      "in pair-list order)."
    })
public final class EvalIjbCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--meta",
      paramLabel = "DIR",
      description =
          "Directory of the meta files <set>_face_tid_mid.txt, <set>_template_pair_label.txt, <set>_name_5pts_score.txt.")
  Path meta;

  @Option(
      names = "--set",
      defaultValue = "ijbc",
      description = "Meta file prefix: ijbb or ijbc (default: ${DEFAULT-VALUE}).")
  String set;

  @Option(
      names = "--face-tid-mid",
      paramLabel = "FILE",
      description = "Overrides <meta>/<set>_face_tid_mid.txt.")
  Path faceTidMid;

  @Option(
      names = "--pairs",
      paramLabel = "FILE",
      description = "Overrides <meta>/<set>_template_pair_label.txt.")
  Path pairFile;

  @Option(
      names = "--landmarks",
      paramLabel = "FILE",
      description = "Overrides <meta>/<set>_name_5pts_score.txt (needed for --detector-weighting).")
  Path landmarks;

  @Option(
      names = "--embeddings",
      required = true,
      paramLabel = "NPY",
      description =
          "Image features (N, d) in the order of the face/template/media file (or of --keys).")
  Path embeddings;

  @Option(
      names = "--flip-embeddings",
      paramLabel = "NPY",
      description = "Features of the flipped images (N, d), summed with --embeddings.")
  Path flipEmbeddings;

  @Option(
      names = "--flip-concatenated",
      description =
          "--embeddings is (N, 2d): [f(img), f(flipped img)] (insightface's layout); the halves are summed.")
  boolean flipConcatenated;

  @Option(
      names = "--keys",
      paramLabel = "FILE",
      description = "Image name of each row of --embeddings, if not in meta-file order.")
  Path keys;

  @Option(
      names = "--keep-norm",
      description =
          "Do not L2-normalise image features before pooling (insightface use_norm_score).")
  boolean keepNorm;

  @Option(
      names = "--detector-weighting",
      description = "Weight image features by the detector score (insightface use_detector_score).")
  boolean detectorWeighting;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
  Path out;

  @Option(names = "--name", description = "System name in the report (default: IJB-B or IJB-C).")
  String name;

  @Mixin MetricOptionsMixin metricOptions;

  @Override
  public Integer call() throws Exception {
    String prefix = set.toLowerCase(Locale.ROOT);
    Path ftm = resolve(faceTidMid, prefix + "_face_tid_mid.txt");
    Path pf = resolve(pairFile, prefix + "_template_pair_label.txt");
    Path lm =
        landmarks != null
            ? landmarks
            : meta != null ? meta.resolve(prefix + "_name_5pts_score.txt") : null;
    if (flipEmbeddings != null && flipConcatenated) {
      throw new UserInputException(
          "give either --flip-embeddings or --flip-concatenated, not both");
    }
    ConsoleProgress progress = EvalSupport.progress();
    long t0 = System.nanoTime();
    IjbMeta m = IjbMeta.readFaceTidMid(ftm, progress);
    float[] det = null;
    if (detectorWeighting) {
      if (lm == null) {
        throw new UserInputException("--detector-weighting needs --landmarks or --meta");
      }
      det = m.readDetectorScores(lm, progress);
    }
    float[][] holder = new float[1][];
    int[] shape = Embeddings.readMatrix(embeddings, holder);
    float[] feats = holder[0];
    int d = shape[1];
    float[] flip = null;
    if (flipConcatenated) {
      if (d % 2 != 0) {
        throw new UserInputException(
            embeddings + ": --flip-concatenated needs an even width, got " + d);
      }
      d /= 2;
      float[] a = new float[shape[0] * d];
      flip = new float[shape[0] * d];
      for (int i = 0; i < shape[0]; i++) {
        System.arraycopy(feats, i * 2 * d, a, i * d, d);
        System.arraycopy(feats, i * 2 * d + d, flip, i * d, d);
      }
      feats = a;
    } else if (flipEmbeddings != null) {
      int[] fs = Embeddings.readMatrix(flipEmbeddings, holder);
      if (fs[0] != shape[0] || fs[1] != shape[1]) {
        throw new UserInputException(
            flipEmbeddings
                + ": shape ("
                + fs[0]
                + ", "
                + fs[1]
                + ") differs from "
                + embeddings
                + " ("
                + shape[0]
                + ", "
                + shape[1]
                + ")");
      }
      flip = holder[0];
    }
    if (keys != null) {
      int[] rows = TemplatePooling.rowsByName(m, Embeddings.readKeys(keys), keys.toString());
      feats = gather(feats, rows, d);
      flip = flip == null ? null : gather(flip, rows, d);
    } else if (shape[0] != m.size()) {
      throw new UserInputException(
          embeddings + ": " + shape[0] + " rows for the " + m.size() + " images of " + ftm);
    }
    boolean flipUsed = flip != null;
    TemplatePooling.Templates templates =
        TemplatePooling.pool(
            m,
            feats,
            flip,
            d,
            det,
            new TemplatePooling.Options(keepNorm, detectorWeighting),
            progress);
    feats = null;
    flip = null;
    TemplatePairs pairs = TemplatePairs.read(pf, templates, progress);
    double[] s = pairs.score(templates, progress);
    float[] sf = new float[s.length];
    for (int i = 0; i < s.length; i++) {
      sf[i] = (float) s[i];
    }
    LabeledScores ls = LabeledScores.split(pf.toString(), s, pairs.isTarget());
    VerificationMetrics vm =
        VerificationMetrics.computeInPlace(
            ls.targets(), ls.nontargets(), metricOptions.toOptions());
    Map<String, Object> extras = new LinkedHashMap<>();
    extras.put("templates", templates.size());
    extras.put("images", m.size());
    extras.put("flip", flipUsed);
    extras.put("keep_norm", keepNorm);
    extras.put("detector_weighting", detectorWeighting);
    extras.put("seconds", (System.nanoTime() - t0) / 1e9);
    String n =
        name != null
            ? name
            : prefix.equals("ijbb") ? "IJB-B" : prefix.equals("ijbc") ? "IJB-C" : set;
    EvalSupport.report(
        out,
        List.of(new SystemResult(n, vm, extras)),
        n + " 1:1",
        null,
        spec.commandLine().getOut(),
        stage -> Npy.writeFloat32(stage.resolve("scores.npy"), sf, sf.length));
    return 0;
  }

  private Path resolve(Path explicit, String fileName) {
    if (explicit != null) {
      return explicit;
    }
    if (meta == null) {
      throw new UserInputException(
          "give --meta DIR or the meta file explicitly (" + fileName + ")");
    }
    return meta.resolve(fileName);
  }

  private static float[] gather(float[] f, int[] rows, int d) {
    float[] out = new float[rows.length * d];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(f, rows[i] * d, out, i * d, d);
    }
    return out;
  }
}
