package io.qmargin.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --model RUN_DIR} of the commands that take a finished model folder: a run directory, its
 * {@code model/} folder, or a folder {@code qmargin import} wrote (all hold {@code model.json}).
 */
final class ModelDirOption {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "RUN_DIR",
      description =
          "A finished run directory (or its model/ folder, or a folder 'qmargin import' wrote).")
  Path model;
}
