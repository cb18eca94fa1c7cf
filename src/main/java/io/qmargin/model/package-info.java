/**
 * The face backbones as DJL blocks from aligned faces (B, 3, 112, 112) to embeddings (B, d): {@link
 * io.qmargin.model.Backbones} creates them by name ({@link io.qmargin.model.IResNet} 18/34/50/100,
 * {@link io.qmargin.model.MobileFaceNet}, {@link io.qmargin.model.SmallResNet}) and counts their
 * parameters; {@link io.qmargin.model.Layers} holds the shared building blocks. It may depend on
 * DJL and the root package only; backbones know nothing of losses, heads or data.
 */
package io.qmargin.model;
