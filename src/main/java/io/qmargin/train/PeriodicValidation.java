package io.qmargin.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Validation every {@code validation.every_epochs} (in steps, at least 1) and after the last step;
 * a run that never validated does so at its end. Each result is a line of validation.jsonl and a
 * message. Validation steps are also checkpoint steps, and a checkpoint is written before its
 * validation, so a run resumed from a validation step's checkpoint validates again first.
 */
final class PeriodicValidation implements RunHook {
  private final List<Validator> validators;
  private final Embedder embedder;
  private final RunDirectory dir;
  private final TrainingListener listener;
  private final List<Double> far;
  private final long every;
  private final long total;
  private List<ValidationResult> last = new ArrayList<>();

  PeriodicValidation(
      List<Validator> validators,
      Embedder embedder,
      RunDirectory dir,
      TrainingListener listener,
      TrainConfig.Validation config,
      long stepsPerEpoch,
      long total) {
    this.validators = validators;
    this.embedder = embedder;
    this.dir = dir;
    this.listener = listener;
    this.far = config.far();
    this.every =
        config.everyEpochs() <= 0
            ? Long.MAX_VALUE
            : Math.max(1, Math.round(config.everyEpochs() * stepsPerEpoch));
    this.total = total;
  }

  /**
   * Step {@code done} (1-based) ends with a validation: every {@code every} steps, and the last.
   */
  boolean validatesAfter(long done) {
    return done > 0 && (done % every == 0 || done == total);
  }

  @Override
  public void begin(long firstStep) {
    if (validatesAfter(firstStep)) {
      validate(firstStep);
    }
  }

  @Override
  public void stepEnd(StepEnd end) {
    if (validatesAfter(end.done())) {
      validate(end.done());
    }
  }

  @Override
  public void end(long steps) {
    if (last.isEmpty() && !validators.isEmpty()) {
      validate(steps);
    }
  }

  /** The results of the latest validation (empty before the first). */
  List<ValidationResult> last() {
    return last;
  }

  private void validate(long step) {
    List<ValidationResult> results = new ArrayList<>();
    for (Validator v : validators) {
      ValidationResult r = v.evaluate(embedder, listener.progress());
      results.add(r);
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("step", step);
      rec.putAll(r.summary());
      dir.append(dir.validation(), rec);
      StringBuilder line =
          new StringBuilder(String.format(Locale.ROOT, "step %d, %s: ", step, r.protocol()));
      if (r.accuracy() != null) {
        line.append(r.accuracy().headline())
            .append(", "); // pair lists lead with their k-fold accuracy
      }
      line.append(String.format(Locale.ROOT, "EER %.2f%%", 100 * r.metrics().eer()));
      for (double f : far) {
        line.append(", TAR@FAR=")
            .append(ValidationResult.formatFar(f))
            .append(' ')
            .append(r.tarAtText(f));
      }
      listener.message(line.toString());
    }
    last = results;
  }
}
