/**
 * The {@code qmargin} command-line tool: {@link io.qmargin.cli.QmarginCli} and one picocli command
 * per verb ({@code demo}, {@code train}, {@code embed}, {@code losses}, {@code posterior}, {@code
 * eval ...}, {@code fbank}, {@code data fetch}, {@code bench ...}). Each command parses and checks
 * its options and calls the library; it holds no logic of its own. {@link
 * io.qmargin.cli.UserErrorHandler} prints a {@link io.qmargin.UserInputException} as one line and
 * exits non-zero. It may depend on every other package; nothing depends on it.
 */
package io.qmargin.cli;
