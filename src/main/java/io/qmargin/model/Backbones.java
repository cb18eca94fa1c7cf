package io.qmargin.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.qmargin.UserInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The face backbones by name: each a DJL {@link Block} mapping a batch of aligned faces (B, 3, 112,
 * 112), float32 in [−1, 1], to embeddings (B, d).
 *
 * <table>
 *   <caption>Backbones</caption>
 *   <tr><th>name (aliases)</th><th>architecture</th><th>parameters at d = 512</th></tr>
 *   <tr><td>{@code iresnet18} (r18)</td><td>{@link IResNet} [2, 2, 2, 2]</td><td>24,025,600</td></tr>
 *   <tr><td>{@code iresnet34} (r34)</td><td>{@link IResNet} [3, 4, 6, 3]</td><td>34,139,328</td></tr>
 *   <tr><td>{@code iresnet50} (r50)</td><td>{@link IResNet} [3, 4, 14, 3]</td><td>43,590,848</td></tr>
 *   <tr><td>{@code iresnet100} (r100)</td><td>{@link IResNet} [3, 13, 30, 3]</td><td>65,156,160</td></tr>
 *   <tr><td>{@code mobilefacenet} (mbf)</td><td>{@link MobileFaceNet}</td><td>2,059,520</td></tr>
 *   <tr><td>{@code small}</td><td>{@link SmallResNet}</td><td>1,374,176</td></tr>
 * </table>
 *
 * Parameter counts are PyTorch's {@code sum(p.numel() for p in model.parameters())}: BN running
 * statistics are excluded, IResNet's fixed BN1d scale is included.
 */
public final class Backbones {
  private Backbones() {}

  /** Side of the square input image. */
  public static final int IMAGE_SIDE = 112;

  private static final List<String> NAMES =
      List.of("iresnet18", "iresnet34", "iresnet50", "iresnet100", "mobilefacenet", "small");
  private static final Map<String, String> ALIASES = aliases();

  private static Map<String, String> aliases() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String name : NAMES) {
      m.put(name, name);
    }
    m.put("r18", "iresnet18");
    m.put("r34", "iresnet34");
    m.put("r50", "iresnet50");
    m.put("r100", "iresnet100");
    m.put("mbf", "mobilefacenet");
    return Map.copyOf(m);
  }

  /** The canonical backbone names. */
  public static List<String> names() {
    return NAMES;
  }

  /** The canonical name of a backbone name or alias (case-insensitive). */
  public static String canonicalName(String name) {
    String canonical = name == null ? null : ALIASES.get(name.trim().toLowerCase(Locale.ROOT));
    if (canonical == null) {
      throw new UserInputException(
          "unknown backbone '"
              + name
              + "'; known: "
              + String.join(", ", NAMES)
              + " (aliases r18, r34, r50, r100, mbf)");
    }
    return canonical;
  }

  /**
   * A new, uninitialised backbone. Initialise it with {@link #inputShape(long)}; initial weights
   * follow each architecture's source unless a trainer's configuration sets its own initializers.
   *
   * @param name a name of {@link #names()} or an alias
   * @param embeddingDim d, the embedding size (512 in insightface)
   * @param dropout dropout rate before the final FC, in [0, 1) (insightface's default 0)
   */
  public static Block create(String name, int embeddingDim, float dropout) {
    return create(name, embeddingDim, dropout, IMAGE_SIDE);
  }

  /**
   * {@link #create(String, int, float)} for square inputs of {@code imageSide} pixels: 112 for
   * every backbone; the small network also takes multiples of 16 (see {@link SmallResNet}).
   */
  public static Block create(String name, int embeddingDim, float dropout, int imageSide) {
    String canonical = canonicalName(name);
    if (imageSide != IMAGE_SIDE && !canonical.equals("small")) {
      throw new UserInputException(
          canonical
              + " takes "
              + IMAGE_SIDE
              + " x "
              + IMAGE_SIDE
              + " images, not "
              + imageSide
              + " (only the small backbone takes other sizes)");
    }
    if (embeddingDim < 1) {
      throw new UserInputException("embedding dimension must be positive, got " + embeddingDim);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new UserInputException("dropout must be in [0, 1), got " + dropout);
    }
    return switch (canonical) {
      case "iresnet18" -> IResNet.create(IResNet.Depth.R18, embeddingDim, dropout);
      case "iresnet34" -> IResNet.create(IResNet.Depth.R34, embeddingDim, dropout);
      case "iresnet50" -> IResNet.create(IResNet.Depth.R50, embeddingDim, dropout);
      case "iresnet100" -> IResNet.create(IResNet.Depth.R100, embeddingDim, dropout);
      case "mobilefacenet" -> MobileFaceNet.create(embeddingDim, dropout);
      case "small" -> SmallResNet.create(embeddingDim, dropout, imageSide);
      default -> throw new IllegalStateException("no builder for " + canonical);
    };
  }

  /** The input shape (batch, 3, 112, 112). */
  public static Shape inputShape(long batch) {
    return new Shape(batch, 3, IMAGE_SIDE, IMAGE_SIDE);
  }

  /**
   * Number of parameters as PyTorch's {@code model.parameters()} counts them: every DJL parameter
   * but the BatchNorm running mean and variance (buffers in PyTorch). The block must be
   * initialised.
   */
  public static long parameterCount(Block block) {
    return block.getParameters().values().stream()
        .filter(
            p ->
                p.getType() != Parameter.Type.RUNNING_MEAN
                    && p.getType() != Parameter.Type.RUNNING_VAR)
        .mapToLong(p -> p.getArray().size())
        .sum();
  }

  /**
   * Number of parameters that receive gradients (excludes fixed ones such as IResNet's BN1d scale).
   */
  public static long trainableParameterCount(Block block) {
    return block.getParameters().values().stream()
        .filter(Parameter::requiresGradient)
        .mapToLong(p -> p.getArray().size())
        .sum();
  }
}
