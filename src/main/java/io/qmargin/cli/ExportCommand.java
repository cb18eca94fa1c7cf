package io.qmargin.cli;

import ai.djl.ndarray.NDManager;
import io.qmargin.UserInputException;
import io.qmargin.model.onnx.OnnxExport;
import io.qmargin.model.onnx.OnnxModel;
import io.qmargin.train.TrainedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qmargin export}: a trained model as an ONNX file. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Export a trained model's backbone as ONNX (opset 11, standard operators), for ONNX Runtime.",
      "",
      "Input 'data' (batch, 3, H, W) for face models, 'feats' (batch, frames, mel bins) for",
      "speaker models, after the model's own preprocessing (written into the file's metadata with",
      "the embedding size); output 'embedding' (batch, d), not normalised. batch and frames are",
      "dynamic. The file is written atomically."
    })
final class ExportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ModelDirOption modelDir;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE.onnx",
      description = "The ONNX file to write.")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (Files.isDirectory(out)) {
      throw new UserInputException("--out " + out + " is a folder; give the ONNX file's path");
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainedModel m = TrainedModel.load(modelDir.model, manager);
      OnnxModel onnx = OnnxExport.export(m, out);
      PrintWriter o = spec.commandLine().getOut();
      o.printf(
          Locale.ROOT,
          "%s (%s, d = %s) -> %s: opset %d, %d nodes, input %s, %.1f MB%n",
          onnx.metadata().get("backbone"),
          onnx.metadata().get("task"),
          onnx.metadata().get("embedding_size"),
          out,
          onnx.defaultOpset(),
          onnx.graph().nodes().size(),
          onnx.metadata().get("input_layout"),
          Files.size(out) / 1e6);
      o.flush();
    }
    return 0;
  }
}
