/**
 * ONNX files in and out: {@link io.qmargin.model.onnx.OnnxModel} is the subset of ONNX's {@code
 * ModelProto} qmargin reads and writes (protobuf wire format by hand, {@link
 * io.qmargin.model.onnx.OnnxFiles}); {@link io.qmargin.model.onnx.OnnxExport} writes a trained
 * backbone as an ONNX graph of standard operators (opset {@value
 * io.qmargin.model.onnx.OnnxExport#OPSET}); {@link io.qmargin.model.onnx.OnnxStateDicts} reads
 * insightface's and wespeaker's exported graphs back into their PyTorch state-dict names. It may
 * depend on {@code model}, {@code model.speaker}, {@code model.imports}, {@code io}, {@code train}
 * (the trained model and its config), DJL and the root package.
 */
package io.qmargin.model.onnx;
