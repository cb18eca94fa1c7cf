/**
 * The audio front end, in pure Java: decoding WAV, FLAC and Ogg Vorbis into a {@link
 * io.qmargin.audio.Waveform} ({@link io.qmargin.audio.AudioReader} picks the reader), resampling
 * ({@link io.qmargin.audio.Resampler}), Kaldi-compatible log-mel filterbanks ({@link
 * io.qmargin.audio.Fbank} with {@link io.qmargin.audio.FbankOptions}, giving a {@link
 * io.qmargin.audio.FeatureMatrix}) and cepstral mean normalisation. A damaged file is a {@link
 * io.qmargin.audio.CorruptAudioException} naming it. It may depend on the root package only (no
 * engine, no training code).
 */
package io.qmargin.audio;
