package io.qmargin.cli;

import ai.djl.ndarray.NDManager;
import io.qmargin.train.Models;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code qmargin import}: a foreign model's weights into a qmargin model directory. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Import pretrained weights into a qmargin model directory that embed, eval and train",
      "(model.init) take: insightface arcface_torch backbones (backbone.pth: IResNet-18/34/50/100,",
      "MobileFaceNet) and wespeaker checkpoints (avg_model.pt: ResNet18/34, ECAPA-TDNN).",
      "The file is read without executing anything: a pickle naming any class a state dict does",
      "not need is refused. The architecture is told from the tensor names unless --arch is given;",
      "a tensor that does not fit is named with both shapes. The model keeps its source's",
      "preprocessing (insightface: 112x112 RGB, (x-127.5)/127.5; wespeaker: 80-bin fbank with a",
      "Hamming window, mean-normalised)."
    })
final class ImportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "A PyTorch state dict (.pth/.pt).")
  Path file;

  @Option(
      names = "--arch",
      paramLabel = "ARCH",
      description =
          "iresnet18/34/50/100 (r18, r34, r50, r100), mobilefacenet (mbf), resnet18, resnet34,"
              + " ecapa512, ecapa1024; default: told from the file.")
  String arch;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "MODEL_DIR",
      description = "The model directory to write (model.json, backbone.params).")
  Path out;

  @Override
  public Integer call() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      Models.Imported imported = Models.importWeights(file, arch, manager);
      Models.save(imported, out);
      PrintWriter o = spec.commandLine().getOut();
      var s = imported.source();
      o.printf(
          Locale.ROOT,
          "%s %s (d = %d%s) from %s -> %s%n  preprocessing: %s%n",
          s.project(),
          s.backbone(),
          s.embeddingDim(),
          s.speaker() ? ", " + s.featureDim() + " mel bins" : "",
          file,
          out,
          s.preprocessing());
      if (!imported.ignored().isEmpty()) {
        o.println("  not used (the classification head): " + String.join(", ", imported.ignored()));
      }
      o.flush();
    }
    return 0;
  }
}
