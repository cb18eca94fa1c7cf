package io.qmargin.train;

import ai.djl.nn.Block;
import io.qmargin.data.SampleSet;
import java.util.List;

/**
 * What differs between modalities: the training data, the validation protocols and the backbone.
 */
public interface TrainingTask {
  SampleSet trainingSet();

  List<Validator> validators();

  /** A new, uninitialised backbone for {@link #trainingSet()}'s sample shape. */
  Block backbone();
}
