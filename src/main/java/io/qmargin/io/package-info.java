/**
 * File formats and safe writing shared by every layer: {@link io.qmargin.io.AtomicFiles} (a file or
 * a set of files that belong together is replaced whole or not at all), {@link io.qmargin.io.Npy}
 * (numpy arrays), {@link io.qmargin.io.KaldiArk} (Kaldi archives and scp indexes), {@link
 * io.qmargin.io.Json}, {@link io.qmargin.io.CosineBatchFiles}, and {@link
 * io.qmargin.io.TextScanner} (the fast whitespace-separated text reader behind every list, trial
 * and score file, with file:line errors). It may depend on the root package only.
 */
package io.qmargin.io;
