/**
 * Models in from other projects: readers of foreign weight files (PyTorch state dicts, ONNX graphs)
 * into a {@link io.qmargin.model.imports.StateDict} in the source project's names, and the mapping
 * of those names onto qmargin's own backbones, with the preprocessing the source project used.
 */
package io.qmargin.model.imports;
