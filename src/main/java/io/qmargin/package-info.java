/**
 * The root of qmargin: what every package shares. {@link io.qmargin.UserInputException} is bad
 * input from a user (a malformed file, an invalid option or spec) whose message names the file,
 * line or value at fault; the command line prints it as one line without a stack trace and exits
 * non-zero. {@link io.qmargin.UserText} shows text taken from a user's files safely in messages,
 * {@link io.qmargin.EnumWords} spells configuration kinds, and {@link io.qmargin.Progress} is the
 * progress callback that long computations (training, embedding, evaluation) report to. It depends
 * on nothing else in qmargin, and every package may depend on it.
 */
package io.qmargin;
