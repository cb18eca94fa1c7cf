package io.qmargin.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Parent of the evaluation commands: metrics, protocols, plots and reports. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Verification metrics at low FAR (ROC, DET, TAR@FAR strict and nearest, EER, ROCCH-EER, minDCF, AUC),",
      "the field's protocols (VoxCeleb trials, LFW, IJB-B/C 1:1), score normalisation, plots and reports.",
      "See docs/evaluation.md."
    },
    subcommands = {
      EvalScoresCommand.class,
      EvalTrialsCommand.class,
      EvalLfwCommand.class,
      EvalIjbCommand.class,
      EvalCompareCommand.class,
    })
public final class EvalCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
