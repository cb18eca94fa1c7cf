package io.qmargin.serve;

/**
 * A verifier's operating point: the score threshold at which a model, measured on an evaluation,
 * accepts with a false accept rate at most {@code targetFar} (strict convention: of all thresholds
 * whose FAR is at most the target, the one with the largest TAR). A score {@code >= threshold} is
 * an accept.
 *
 * @param modelId identity of the model the scores were measured on (see the model's fingerprint)
 * @param targetFar the FAR asked for
 * @param threshold the score threshold; accept when score >= threshold
 * @param far the FAR measured at the threshold (at most {@code targetFar})
 * @param tar the TAR measured at the threshold
 * @param tarLow lower end of the TAR's 95% confidence interval
 * @param tarHigh upper end of the TAR's 95% confidence interval
 * @param impostors impostor (non-target) trials the FAR was measured on
 * @param genuines genuine (target) trials the TAR was measured on
 * @param source the evaluation the point was calibrated on (a path or a name), for the record
 */
public record OperatingPoint(
    String modelId,
    double targetFar,
    double threshold,
    double far,
    double tar,
    double tarLow,
    double tarHigh,
    long impostors,
    long genuines,
    String source) {}
