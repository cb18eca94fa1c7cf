/**
 * The speaker backbones as DJL blocks from log-mel filterbank frames (B, T, F) to embeddings (B,
 * d), pooled over time so that one block takes any length: {@link
 * io.qmargin.model.speaker.SpeakerBackbones} creates them by name ({@link
 * io.qmargin.model.speaker.SpeakerResNet}, {@link io.qmargin.model.speaker.EcapaTdnn}, {@link
 * io.qmargin.model.speaker.SmallSpeakerNet}), built from the pooling layers ({@link
 * io.qmargin.model.speaker.StatisticsPooling}, {@link
 * io.qmargin.model.speaker.AttentiveStatisticsPooling}) and {@link
 * io.qmargin.model.speaker.SpeakerLayers}. It may depend on {@code model}, DJL and the root package
 * only.
 */
package io.qmargin.model.speaker;
