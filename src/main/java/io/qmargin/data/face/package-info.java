/**
 * Face data: {@link io.qmargin.data.face.FaceDataset} sources (image folders {@link
 * io.qmargin.data.face.ImageFolderDataset}, insightface RecordIO {@link
 * io.qmargin.data.face.RecordIoDataset}, validation {@code .bin} files {@link
 * io.qmargin.data.face.ValidationBin}, LFW {@link io.qmargin.data.face.LfwFolder} and the built-in
 * {@link io.qmargin.data.face.SyntheticFaces}), image decoding ({@link
 * io.qmargin.data.face.ImageDecoder}, {@link io.qmargin.data.face.PnmReader}), the crop, resize and
 * augmentation of {@link io.qmargin.data.face.Preprocessing}, and {@link
 * io.qmargin.data.face.FaceSampleSet}, the {@link io.qmargin.data.SampleSet} the trainer reads. It
 * may depend on {@code data}, {@code data.fetch} (to locate downloaded LFW), the evaluation
 * protocols' readers (LFW pairs files), {@code io} and the root package; not on the engine or the
 * trainer.
 */
package io.qmargin.data.face;
