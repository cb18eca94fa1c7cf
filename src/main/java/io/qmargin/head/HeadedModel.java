package io.qmargin.head;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.PairList;

/**
 * A backbone (any DJL block mapping inputs to embeddings) followed by a {@link MarginHead}, as one
 * DJL block for a standard {@code Trainer}. Input: {@code NDList(inputs, labels)}; output: the
 * head's {@code NDList(loss, meanSupport, targetOutOfSupport)}. Use {@link #trainingLoss()} as the
 * trainer's loss: it reads the loss the head already computed.
 */
public final class HeadedModel extends AbstractBlock {
  private static final byte VERSION = 1;

  private final Block backbone;
  private final MarginHead head;

  public HeadedModel(Block backbone, MarginHead head) {
    super(VERSION);
    this.backbone = addChildBlock("backbone", backbone);
    this.head = addChildBlock("head", head);
  }

  public Block backbone() {
    return backbone;
  }

  public MarginHead head() {
    return head;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDList embeddings =
        backbone.forward(parameterStore, new NDList(inputs.get(0)), training, params);
    return head.forward(
        parameterStore, new NDList(embeddings.singletonOrThrow(), inputs.get(1)), training, params);
  }

  @Override
  protected void initializeChildBlocks(
      ai.djl.ndarray.NDManager manager, DataType dataType, Shape... inputShapes) {
    backbone.initialize(manager, dataType, inputShapes[0]);
    Shape[] embedding = backbone.getOutputShapes(new Shape[] {inputShapes[0]});
    head.initialize(manager, dataType, embedding[0], inputShapes[1]);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return head.getOutputShapes(inputShapes);
  }

  /** A DJL loss that returns the loss computed inside the head (prediction 0). */
  public static Loss trainingLoss() {
    return new Loss("head-loss") {
      @Override
      public ai.djl.ndarray.NDArray evaluate(NDList labels, NDList predictions) {
        return predictions.get(0);
      }
    };
  }
}
