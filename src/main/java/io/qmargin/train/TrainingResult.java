package io.qmargin.train;

import java.util.List;

/**
 * The outcome of a run: final validation results, the loss of the first and last steps, the mean
 * support size over all steps, and throughput over the run's training time (all carried across
 * resumes, so a resumed run reports what an uninterrupted one would, throughput aside).
 *
 * @param alreadyFinished the run was finished before this call: nothing was trained, the numbers
 *     are read back from its results.json and {@code validation} is empty (its details stay in that
 *     file)
 */
public record TrainingResult(
    List<ValidationResult> validation,
    double firstLoss,
    double lastLoss,
    double samplesPerSecond,
    double meanSupport,
    long steps,
    long skippedSamples,
    int classes,
    boolean alreadyFinished) {}
