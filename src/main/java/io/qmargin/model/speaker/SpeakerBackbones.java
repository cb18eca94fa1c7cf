package io.qmargin.model.speaker;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.qmargin.UserInputException;
import java.util.List;
import java.util.Locale;

/**
 * The speaker backbones by name: each a DJL {@link Block} mapping log-mel filterbank frames (B, T,
 * F), float32, to embeddings (B, d). They pool over time, so one initialised block takes any T (2 s
 * training crops of 200 frames, whole utterances at test time).
 *
 * <table>
 *   <caption>Speaker backbones (F = 80)</caption>
 *   <tr><th>name</th><th>architecture</th><th>d</th><th>parameters</th><th>wespeaker quotes</th></tr>
 *   <tr><td>{@code resnet34}</td><td>{@link SpeakerResNet} [3, 4, 6, 3]</td><td>256</td><td>6,634,336</td><td>6.63 M</td></tr>
 *   <tr><td>{@code resnet18}</td><td>{@link SpeakerResNet} [2, 2, 2, 2]</td><td>256</td><td>4,105,440</td><td></td></tr>
 *   <tr><td>{@code ecapa512}</td><td>{@link EcapaTdnn} C = 512</td><td>192</td><td>6,190,720</td><td>6.19 M</td></tr>
 *   <tr><td>{@code ecapa1024}</td><td>{@link EcapaTdnn} C = 1024</td><td>192</td><td>14,657,088</td><td>14.65 M</td></tr>
 *   <tr><td>{@code small}</td><td>{@link SmallSpeakerNet}</td><td>256</td><td>414,592</td><td>(qmargin's own)</td></tr>
 * </table>
 *
 * Counted as PyTorch's {@code sum(p.numel() for p in model.parameters())}, BN running statistics
 * excluded: {@link io.qmargin.model.Backbones#parameterCount(Block)}.
 */
public final class SpeakerBackbones {
  private SpeakerBackbones() {}

  /** Kaldi/wespeaker's usual number of mel bins. */
  public static final int DEFAULT_FEATURE_DIM = 80;

  private static final List<String> NAMES =
      List.of("resnet34", "resnet18", "ecapa512", "ecapa1024", "small");

  /** The backbone names. */
  public static List<String> names() {
    return NAMES;
  }

  /** The canonical name of a backbone name (case-insensitive, surrounding blanks ignored). */
  public static String canonicalName(String name) {
    String canonical = name == null ? null : name.trim().toLowerCase(Locale.ROOT);
    if (canonical == null || !NAMES.contains(canonical)) {
      throw new UserInputException(
          "unknown speaker backbone '" + name + "'; known: " + String.join(", ", NAMES));
    }
    return canonical;
  }

  /**
   * A new, uninitialised backbone; initialise it with {@link #inputShape(long, long, int)}. Weights
   * follow PyTorch's defaults, as wespeaker's models, unless a trainer sets its own initializers.
   *
   * @param name a name of {@link #names()}
   * @param embeddingDim d (wespeaker: 256 for the ResNets, 192 for ECAPA-TDNN)
   * @param featureDim F, the mel bins of the input (80)
   */
  public static Block create(String name, int embeddingDim, int featureDim) {
    String canonical = canonicalName(name);
    if (embeddingDim < 1) {
      throw new UserInputException("embedding dimension must be positive, got " + embeddingDim);
    }
    if (featureDim < 1) {
      throw new UserInputException(
          "feature dimension (mel bins) must be positive, got " + featureDim);
    }
    return switch (canonical) {
      case "resnet34" ->
          SpeakerResNet.create(SpeakerResNet.Depth.RESNET34, embeddingDim, featureDim);
      case "resnet18" ->
          SpeakerResNet.create(SpeakerResNet.Depth.RESNET18, embeddingDim, featureDim);
      case "ecapa512" -> new EcapaTdnn(512, embeddingDim, featureDim, false);
      case "ecapa1024" -> new EcapaTdnn(1024, embeddingDim, featureDim, false);
      case "small" -> SmallSpeakerNet.create(embeddingDim, featureDim);
      default -> throw new IllegalStateException("no builder for " + canonical);
    };
  }

  /** The embedding size the source uses for this backbone: 192 for ECAPA-TDNN, else 256. */
  public static int defaultEmbeddingDim(String name) {
    return canonicalName(name).startsWith("ecapa") ? 192 : 256;
  }

  /** The input shape (batch, frames, featureDim). */
  public static Shape inputShape(long batch, long frames, int featureDim) {
    return new Shape(batch, frames, featureDim);
  }
}
