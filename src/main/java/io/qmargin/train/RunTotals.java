package io.qmargin.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The running sums behind results.json (first and last loss, mean support, samples, seconds and
 * skipped samples), kept in checkpoints so that a resumed run reports the uninterrupted run's
 * figures. Seconds count training time only: each segment of a resumed run adds its own.
 */
final class RunTotals implements RunHook {
  /** Unreadable samples the loader skipped (it counts them from its threads). */
  final AtomicLong skipped = new AtomicLong();

  private double firstLoss = Double.NaN;
  private double lastLoss = Double.NaN;
  private double supportSum;
  private long lossSteps;
  private long samples;
  private double secondsBefore;
  private long begin = System.nanoTime();
  private boolean stepping;

  /** The clock starts with the loop, so a validation repeated on resume is not training time. */
  @Override
  public void epochStart(long epoch) {
    startClock();
  }

  @Override
  public void stepStart(long step) {
    startClock();
  }

  private void startClock() {
    if (!stepping) {
      stepping = true;
      begin = System.nanoTime();
    }
  }

  @Override
  public void stepEnd(StepEnd end) {
    samples += end.samples();
    supportSum += end.outcome().meanSupport();
    lossSteps++;
    if (lossSteps == 1) {
      firstLoss = end.outcome().loss();
    }
    lastLoss = end.outcome().loss();
  }

  /** Training seconds so far, over every segment of the run. */
  double seconds() {
    return secondsBefore + (System.nanoTime() - begin) / 1e9;
  }

  /** The results of a run that ends now after {@code steps} steps. */
  TrainingResult result(java.util.List<ValidationResult> validation, long steps, int classes) {
    return new TrainingResult(
        validation,
        firstLoss,
        lastLoss,
        samples == 0 ? Double.NaN : samples / seconds(),
        supportSum / Math.max(1, lossSteps),
        steps,
        skipped.get(),
        classes,
        false);
  }

  @Override
  public String stateName() {
    return "totals";
  }

  @Override
  public Map<String, Object> saveState() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("skipped", skipped.get());
    s.put("loss_steps", lossSteps);
    if (lossSteps > 0) {
      s.put("first_loss", firstLoss);
      s.put("last_loss", lastLoss);
    }
    s.put("support_sum", supportSum);
    s.put("samples", samples);
    s.put("seconds", seconds());
    return s;
  }

  @Override
  public void restoreState(JsonNode s, Path file) {
    skipped.set(RunHook.require(s, "skipped", file).asLong());
    // Checkpoints of older versions lack the running sums: results.json then covers this segment
    // only.
    lossSteps = s.path("loss_steps").asLong(0);
    firstLoss = s.path("first_loss").asDouble(Double.NaN);
    lastLoss = s.path("last_loss").asDouble(Double.NaN);
    supportSum = s.path("support_sum").asDouble(0);
    samples = s.path("samples").asLong(0);
    secondsBefore = s.path("seconds").asDouble(0);
  }
}
