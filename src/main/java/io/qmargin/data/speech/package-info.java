/**
 * Speech data: corpora of labelled utterances ({@link io.qmargin.data.speech.SpeechCorpus} of
 * {@link io.qmargin.data.speech.Utterance}s) read from Kaldi data dirs ({@link
 * io.qmargin.data.speech.KaldiDataDir}), speaker folders and VoxCeleb layouts ({@link
 * io.qmargin.data.speech.SpeakerFolders}), FSDD ({@link io.qmargin.data.speech.Fsdd}) and installed
 * Debian speech packages ({@link io.qmargin.data.speech.SpeechSources}), split by {@link
 * io.qmargin.data.speech.CorpusSplit}; {@link io.qmargin.data.speech.SpeechSampleSet} turns a
 * corpus into fixed-length filterbank crops for training, with optional noise and reverberation
 * ({@link io.qmargin.data.speech.SpeechAugmentation}). It may depend on {@code audio}, {@code
 * data}, {@code data.face} (shared seed mixing) and the root package; not on the engine or the
 * trainer.
 */
package io.qmargin.data.speech;
