package io.qmargin.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import io.qmargin.engine.Scalars;
import io.qmargin.loss.LossOutput;
import io.qmargin.loss.VerificationLoss;

/**
 * The dense classification head: a prototype matrix W (C × d) and a loss of the family on the
 * cosines cos_ij = ⟨x_i/|x_i|, W_j/|W_j|⟩ of a batch of embeddings x (B × d).
 *
 * <p>Input: {@code NDList(embeddings (B, d), labels (B))}. Output: {@code NDList(loss, meanSupport,
 * targetOutOfSupport)}: the batch-mean loss (a scalar that carries the gradient to x and W), the
 * mean number of classes with p &gt; 0 and the fraction of samples with p_y = 0 (both detached).
 *
 * <p>The loss's gradient with respect to the cosines is known in closed form (p − e_y chained
 * through the margin), so it is attached without differentiating the root finding: the scalar
 * returned is {@code L + Σ (g ⊙ cos) − stopGradient(Σ (g ⊙ cos))} with g = ∂L/∂cos detached, whose
 * value is L and whose gradient flows through the normalisation and the matrix product to x and W
 * by the engine's autograd. The full B × C matrix is held: for millions of classes use the sparse
 * head.
 */
public final class MarginHead extends AbstractBlock {
  private static final byte VERSION = 1;

  private final VerificationLoss loss;
  private final int classes;
  private final int embeddingDim;
  private final Parameter prototypes;

  public MarginHead(VerificationLoss loss, int classes, int embeddingDim) {
    super(VERSION);
    if (classes < 2 || embeddingDim < 1) {
      throw new IllegalArgumentException("need at least 2 classes and 1 dimension");
    }
    this.loss = loss;
    this.classes = classes;
    this.embeddingDim = embeddingDim;
    this.prototypes =
        addParameter(
            Parameter.builder()
                .setName("prototypes")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(classes, embeddingDim))
                .optInitializer(new NormalInitializer(0.01f)) // as insightface's partial_fc
                .build());
  }

  public VerificationLoss loss() {
    return loss;
  }

  public int classes() {
    return classes;
  }

  public Parameter prototypes() {
    return prototypes;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray w = parameterStore.getValue(prototypes, x.getDevice(), training);
    return forward(loss, x, w, inputs.get(1));
  }

  /** The head's computation on explicit arrays; x and w may require gradients. */
  public static NDList forward(VerificationLoss loss, NDArray x, NDArray w, NDArray labels) {
    NDArray cos = cosines(x, w);
    NDArray result;
    NDArray meanSupport;
    NDArray targetOut;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      try (LossOutput out = loss.evaluate(cos.stopGradient(), labels)) {
        long b = x.getShape().get(0);
        NDArray value = out.loss().mean();
        NDArray surrogate = out.gradCos().mul(cos).sum().div(Scalars.of(cos, b));
        result = value.add(surrogate).sub(surrogate.stopGradient());
        meanSupport = out.support().toType(DataType.FLOAT32, false).mean();
        targetOut = out.targetProbability().eq(0).toType(DataType.FLOAT32, false).mean();
      }
      NDScope.unregister(result, meanSupport, targetOut);
    }
    NDList list = new NDList(result, meanSupport, targetOut);
    for (NDArray a : list) {
      NDScope.register(a);
    }
    return list;
  }

  /** The rows of x divided by their norms (at least 1e-12); the number lives on x's manager. */
  static NDArray unitRows(NDArray x) {
    return x.div(x.norm(new int[] {1}, true).maximum(Scalars.of(x, 1e-12)));
  }

  /** Cosines of the rows of x to the rows of w: normalise both, then one matrix product. */
  public static NDArray cosines(NDArray x, NDArray w) {
    NDArray xn = unitRows(x);
    NDArray wn = w.div(w.norm(new int[] {1}, true).maximum(Scalars.of(x, 1e-12)));
    return xn.matMul(wn.transpose());
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(), new Shape(), new Shape()};
  }

  @Override
  public String toString() {
    return "MarginHead(" + loss.spec() + ", classes=" + classes + ", dim=" + embeddingDim + ")";
  }
}
