package io.qmargin.train;

import java.util.List;

/**
 * The outcome of a run: final validation results, mean loss of the first and last logged steps, and
 * throughput of the steps this process ran.
 */
public record TrainingResult(List<ValidationResult> validation, double firstLoss, double lastLoss,
    double samplesPerSecond, double meanSupport, long steps, long skippedSamples, int classes) {}
