/**
 * The verification service: an {@link io.qmargin.serve.OperatingPoint} calibrated on an evaluation,
 * and an HTTP service that enrols subjects, verifies (1:1) and identifies (1:N) at that operating
 * point.
 */
package io.qmargin.serve;
