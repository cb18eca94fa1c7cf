/**
 * Classification heads: the prototype matrix, the loss on its cosines and the prototypes'
 * optimizer, kept together so that each head can store and update the prototypes in the way that
 * suits its size. {@link io.qmargin.head.TrainableHead} is what the trainer drives; {@link
 * io.qmargin.head.HeadSettings} builds one from configuration: {@link io.qmargin.head.DenseHead}
 * (all cosines), {@link io.qmargin.head.SparseAlphaHead} (exact for the alpha losses at millions of
 * classes, on a {@link io.qmargin.head.LazyPrototypeTable}; docs/method.md section 6) or {@link
 * io.qmargin.head.PartialFcHead} (sampled classes). {@link io.qmargin.head.MarginHead} and {@link
 * io.qmargin.head.HeadedModel} serve a plain DJL {@code Trainer}. It may depend on {@code
 * operator}, {@code loss}, {@code io}, the root package and the engine helpers (TorchScript
 * kernels, scalar reads); not on data, training or evaluation code.
 */
package io.qmargin.head;
