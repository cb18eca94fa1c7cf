/**
 * Training: {@link io.qmargin.train.ConfigLoader} reads a {@link io.qmargin.train.TrainConfig}
 * (defaults.yaml, a YAML file, {@code --set}); {@link io.qmargin.train.TrainingTasks} picks the
 * {@link io.qmargin.train.TrainingTask} ({@link io.qmargin.train.FaceTask}, {@link
 * io.qmargin.train.SpeakerTask}) that supplies data, validation protocols and backbone; {@link
 * io.qmargin.train.TrainingRun}, with the training step and run hooks, trains a backbone and a head
 * deterministically and resumably into a {@link io.qmargin.train.RunDirectory}; {@link
 * io.qmargin.train.Validator}s check the model on held-out protocols; {@link
 * io.qmargin.train.TrainedModel} and {@link io.qmargin.train.Embedder} embed with a finished model;
 * {@link io.qmargin.train.LossComparison} is the demo's one-model-per-loss comparison. It may
 * depend on every library package ({@code data}, {@code model}, {@code head}, {@code loss}, {@code
 * eval}, {@code io}, {@code audio}); only {@code cli} and {@code bench} may depend on it.
 */
package io.qmargin.train;
