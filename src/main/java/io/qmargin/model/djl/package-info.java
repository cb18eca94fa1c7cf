/**
 * qmargin models in DJL's own model format, for Java programs that load them with DJL's {@code
 * Criteria} without qmargin's trainer: the folder ({@link io.qmargin.model.djl.DjlModels}), the
 * block factory that rebuilds a backbone from its {@code serving.properties} ({@link
 * io.qmargin.model.djl.QmarginBlockFactory}) and the translators from an image or a sound file to
 * an L2-normalised embedding ({@link io.qmargin.model.djl.EmbeddingTranslatorFactory}).
 */
package io.qmargin.model.djl;
