package io.qmargin.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The metrics log: after each step a record (step, epoch, lr, loss, gradient norm, throughput, the
 * head's figures, the margin factor while it ramps, skipped samples) goes to the listener, and
 * every {@code log_every_steps} steps and at the last to {@code metrics.jsonl}.
 */
final class MetricsLog implements RunHook {
  private final RunDirectory dir;
  private final TrainingListener listener;
  private final MarginRamp ramp;
  private final LongSupplier skipped;
  private final long stepsPerEpoch;
  private final long logEvery;
  private final long total;

  MetricsLog(
      RunDirectory dir,
      TrainingListener listener,
      MarginRamp ramp,
      LongSupplier skipped,
      long stepsPerEpoch,
      long logEvery,
      long total) {
    this.dir = dir;
    this.listener = listener;
    this.ramp = ramp;
    this.skipped = skipped;
    this.stepsPerEpoch = stepsPerEpoch;
    this.logEvery = Math.max(1, logEvery);
    this.total = total;
  }

  @Override
  public void stepEnd(StepEnd end) {
    TrainStep.Outcome o = end.outcome();
    Map<String, Object> rec = new LinkedHashMap<>();
    rec.put("step", end.done());
    rec.put("epoch", (double) end.done() / stepsPerEpoch);
    rec.put("lr", end.lr());
    rec.put("loss", o.loss());
    rec.put("grad_norm", o.gradNorm());
    rec.put("samples_per_second", end.samples() / end.seconds());
    rec.put("data_wait_seconds", end.dataWaitSeconds());
    rec.put("mean_support", o.meanSupport());
    rec.put("target_out", o.fractionTargetOut());
    if (o.candidateGrowths() > 0) {
      rec.put("k_growths", o.candidateGrowths());
    }
    double marginFactor = ramp.factor(end.step());
    if (marginFactor < 1) {
      rec.put("margin_factor", marginFactor);
    }
    rec.put("skipped", skipped.getAsLong());
    if (end.done() % logEvery == 0 || end.done() == total) {
      dir.append(dir.metrics(), rec);
    }
    listener.step(end.done(), rec);
  }
}
