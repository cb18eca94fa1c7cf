/**
 * Helpers for the tensor engine that DJL 0.36 does not offer: {@link io.qmargin.engine.Scalars}
 * makes engine-owned scalars for differentiated code (DJL's {@code Number} overloads can let the
 * backward pass read a freed buffer), and {@link io.qmargin.engine.TorchScriptModule} compiles
 * TorchScript source shipped with qmargin (bfloat16 kernels, whole-row writes). It may depend on
 * DJL and the root package only; models and heads use it.
 */
package io.qmargin.engine;
