/**
 * Training data behind one interface: {@link io.qmargin.data.SampleSet} is a labelled set as the
 * trainer sees it, whatever the modality, each sample a float tensor that is a deterministic
 * function of (index, epoch) and the set's seed, so that a resumed run sees the same samples.
 * {@link io.qmargin.data.UnreadableSampleException} marks a sample to skip by name; {@link
 * io.qmargin.data.SyntheticCosines} makes seeded batches of cosines for the loss table and
 * benchmarks; {@link io.qmargin.data.Seeds} is the seed mixing every random draw of a run comes
 * from. The formats live in the subpackages {@code face} and {@code speech}. This package depends
 * on nothing else in qmargin; data code uses no engine.
 */
package io.qmargin.data;
