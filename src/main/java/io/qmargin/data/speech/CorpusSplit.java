package io.qmargin.data.speech;

/** The two parts of a split corpus: what to train on and what is held out for testing. */
public record CorpusSplit(SpeechCorpus train, SpeechCorpus heldOut) {}
