package io.qmargin.model.imports;

import io.qmargin.UserInputException;
import io.qmargin.model.Backbones;
import io.qmargin.model.speaker.EcapaTdnn;
import io.qmargin.model.speaker.SpeakerBackbones;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The source projects' state-dict names of each qmargin backbone, in the order of the DJL block's
 * {@code getParameters()}: the one place where insightface's and wespeaker's module names meet
 * qmargin's blocks. A DJL BatchNorm's four parameters (gamma, beta, running mean, running variance)
 * are PyTorch's {@code weight}, {@code bias}, {@code running_mean}, {@code running_var}; conv and
 * linear weights have PyTorch's shapes in both, PReLU's slopes too. ONNX import reads exported
 * graphs against the same module lists (their order is also the forward order).
 *
 * <ul>
 *   <li>insightface IResNet ({@code backbones/iresnet.py}): {@code conv1}, {@code bn1}, {@code
 *       prelu}, {@code layerS.B.{bn1,conv1,bn2,prelu,conv2,bn3,downsample.0,downsample.1}}, {@code
 *       bn2}, {@code fc}, {@code features};
 *   <li>insightface MobileFaceNet ({@code backbones/mobilefacenet.py}): {@code layers.0} to {@code
 *       layers.7} (ConvBlock, grouped ConvBlock, then DepthWise and Residual alternately), {@code
 *       conv_sep}, {@code features} (the GDC);
 *   <li>wespeaker ResNet ({@code models/resnet.py}): {@code conv1}, {@code bn1}, {@code
 *       layerS.B.{conv1,bn1,conv2,bn2,shortcut.0,shortcut.1}}, {@code seg_1};
 *   <li>wespeaker ECAPA-TDNN ({@code models/ecapa_tdnn.py}): {@code layer1}, {@code
 *       layerL.se_res2block.{0,1,2,3}}, {@code conv}, {@code pool.linear1/2}, {@code bn}, {@code
 *       linear}.
 * </ul>
 */
public final class SourceLayouts {
  private SourceLayouts() {}

  /** The backbones with a counterpart in insightface or wespeaker, by qmargin's names. */
  public static final List<String> BACKBONES =
      List.of(
          "iresnet18",
          "iresnet34",
          "iresnet50",
          "iresnet100",
          "mobilefacenet",
          "resnet18",
          "resnet34",
          "ecapa512",
          "ecapa1024");

  /** A kind of PyTorch module with weights, with the state-dict names of its tensors. */
  public enum ModuleKind {
    CONV("weight"),
    CONV_WITH_BIAS("weight", "bias"),
    LINEAR("weight"),
    LINEAR_WITH_BIAS("weight", "bias"),
    BATCH_NORM("weight", "bias", "running_mean", "running_var"),
    PRELU("weight");

    private final List<String> tensors;

    ModuleKind(String... tensors) {
      this.tensors = List.of(tensors);
    }

    /** The suffixes of its tensors' names, in DJL's parameter order. */
    public List<String> tensors() {
      return tensors;
    }
  }

  /**
   * One module with weights.
   *
   * @param kind what it is in the source project's code
   * @param name its state-dict prefix ({@code layer1.0.conv1})
   */
  public record Module(ModuleKind kind, String name) {}

  /** The names, in the DJL parameter order of {@code model.create()}. */
  public static List<String> names(SourceModel model) {
    List<String> names = new ArrayList<>();
    for (Module m : modules(model.backbone())) {
      for (String t : m.kind().tensors()) {
        names.add(m.name() + "." + t);
      }
    }
    return names;
  }

  /**
   * The modules with weights of {@code backbone} (one of {@link #BACKBONES}), in the DJL parameter
   * order of qmargin's block, which is also the source project's forward order.
   *
   * @throws UserInputException when {@code backbone} has no counterpart in the source projects
   */
  public static List<Module> modules(String backbone) {
    Modules n = new Modules();
    switch (backbone) {
      case "iresnet18" -> iresnet(n, 2, 2, 2, 2);
      case "iresnet34" -> iresnet(n, 3, 4, 6, 3);
      case "iresnet50" -> iresnet(n, 3, 4, 14, 3);
      case "iresnet100" -> iresnet(n, 3, 13, 30, 3);
      case "mobilefacenet" -> mobileFaceNet(n);
      case "resnet18" -> wespeakerResNet(n, 2, 2, 2, 2);
      case "resnet34" -> wespeakerResNet(n, 3, 4, 6, 3);
      case "ecapa512", "ecapa1024" -> ecapa(n);
      default ->
          throw new UserInputException(
              "qmargin's " + backbone + " has no counterpart in insightface or wespeaker");
    }
    return List.copyOf(n.list);
  }

  /** Collects modules; one method per PyTorch module kind. */
  private static final class Modules {
    final List<Module> list = new ArrayList<>();

    void conv(String p) {
      list.add(new Module(ModuleKind.CONV, p));
    }

    void convBias(String p) {
      list.add(new Module(ModuleKind.CONV_WITH_BIAS, p));
    }

    void linear(String p) {
      list.add(new Module(ModuleKind.LINEAR, p));
    }

    void linearBias(String p) {
      list.add(new Module(ModuleKind.LINEAR_WITH_BIAS, p));
    }

    void bn(String p) {
      list.add(new Module(ModuleKind.BATCH_NORM, p));
    }

    void prelu(String p) {
      list.add(new Module(ModuleKind.PRELU, p));
    }
  }

  private static void iresnet(Modules n, int... blocks) {
    n.conv("conv1");
    n.bn("bn1");
    n.prelu("prelu");
    for (int s = 0; s < blocks.length; s++) {
      for (int b = 0; b < blocks[s]; b++) {
        String p = "layer" + (s + 1) + "." + b + ".";
        n.bn(p + "bn1");
        n.conv(p + "conv1");
        n.bn(p + "bn2");
        n.prelu(p + "prelu");
        n.conv(p + "conv2");
        n.bn(p + "bn3");
        if (b == 0) { // every stage starts with stride 2
          n.conv(p + "downsample.0");
          n.bn(p + "downsample.1");
        }
      }
    }
    n.bn("bn2");
    n.linearBias("fc");
    n.bn("features");
  }

  /** insightface's get_mbf: scale 2, blocks (1, 4, 6, 2), GDC output. */
  private static void mobileFaceNet(Modules n) {
    convBlock(n, "layers.0.layers");
    convBlock(n, "layers.1.layers");
    int[] residuals = {4, 6, 2};
    for (int i = 0; i < residuals.length; i++) {
      depthWise(n, "layers." + (2 + 2 * i) + ".layers");
      for (int b = 0; b < residuals[i]; b++) {
        depthWise(n, "layers." + (3 + 2 * i) + ".layers." + b + ".layers");
      }
    }
    convBlock(n, "conv_sep.layers");
    n.conv("features.layers.0.layers.0");
    n.bn("features.layers.0.layers.1");
    n.linear("features.layers.2");
    n.bn("features.layers.3");
  }

  private static void convBlock(Modules n, String p) {
    n.conv(p + ".0");
    n.bn(p + ".1");
    n.prelu(p + ".2");
  }

  private static void depthWise(Modules n, String p) {
    convBlock(n, p + ".0.layers");
    convBlock(n, p + ".1.layers");
    n.conv(p + ".2.layers.0");
    n.bn(p + ".2.layers.1");
  }

  /** wespeaker ResNet (BasicBlock, 32 channels): shortcut where the stage's stride is 2. */
  private static void wespeakerResNet(Modules n, int... blocks) {
    n.conv("conv1");
    n.bn("bn1");
    for (int s = 0; s < blocks.length; s++) {
      for (int b = 0; b < blocks[s]; b++) {
        String p = "layer" + (s + 1) + "." + b + ".";
        n.conv(p + "conv1");
        n.bn(p + "bn1");
        n.conv(p + "conv2");
        n.bn(p + "bn2");
        if (b == 0 && s > 0) { // stride 2 and a wider stage
          n.conv(p + "shortcut.0");
          n.bn(p + "shortcut.1");
        }
      }
    }
    n.linearBias("seg_1");
  }

  /**
   * wespeaker ECAPA_TDNN_GLOB (ASTP): every conv has a bias and a ReLU before its BN; the SE
   * block's layers are nn.Linear, the attentive pooling's are 1 x 1 Conv1d.
   */
  private static void ecapa(Modules n) {
    n.convBias("layer1.conv");
    n.bn("layer1.bn");
    for (int l = 2; l <= 4; l++) {
      String p = "layer" + l + ".se_res2block.";
      n.convBias(p + "0.conv");
      n.bn(p + "0.bn");
      for (int i = 0; i < EcapaTdnn.RES2_SCALE - 1; i++) {
        n.convBias(p + "1.convs." + i);
        n.bn(p + "1.bns." + i);
      }
      n.convBias(p + "2.conv");
      n.bn(p + "2.bn");
      n.linearBias(p + "3.linear1");
      n.linearBias(p + "3.linear2");
    }
    n.convBias("conv");
    n.convBias("pool.linear1");
    n.convBias("pool.linear2");
    n.bn("bn");
    n.linearBias("linear");
  }

  /**
   * The architecture of a state dict: {@code arch} when given (a qmargin backbone name or alias),
   * else told from its names and shapes (IResNet depth from its blocks per stage, ECAPA width from
   * its first conv, d from the last layer, F from the input layer).
   *
   * @throws UserInputException when {@code arch} is null and the names match no known layout
   */
  public static SourceModel detect(StateDict sd, String arch) {
    Map<String, StateDict.Tensor> t = sd.tensors();
    String kind;
    if (arch != null) {
      kind = canonical(arch);
    } else if (t.containsKey("features.layers.2.weight")
        && t.containsKey("conv_sep.layers.0.weight")) {
      kind = "mobilefacenet";
    } else if (t.containsKey("fc.weight") && t.containsKey("features.running_mean")) {
      kind = iresnetDepth(sd);
    } else if (t.containsKey("seg_1.weight")) {
      kind = wespeakerDepth(sd);
    } else if (t.containsKey("layer2.se_res2block.0.conv.weight")) {
      kind = dim(t, "layer1.conv.weight", 0, 512) >= 1024 ? "ecapa1024" : "ecapa512";
    } else {
      throw new UserInputException(
          sd.source()
              + ": cannot tell the architecture from its tensor names (first: "
              + t.keySet().stream().limit(3).toList()
              + "); give it with --arch ("
              + String.join(", ", Backbones.names().subList(0, 5))
              + ", resnet18, resnet34, ecapa512, ecapa1024)");
    }
    return switch (kind) {
      case "iresnet18", "iresnet34", "iresnet50", "iresnet100" ->
          new SourceModel("insightface", false, kind, dim(t, "fc.weight", 0, 512), 0);
      case "mobilefacenet" ->
          new SourceModel(
              "insightface", false, kind, dim(t, "features.layers.2.weight", 0, 512), 0);
      case "resnet18", "resnet34" -> {
        // seg_1 takes 2 x 256 x F/8 pooled statistics (wespeaker computes int(F/8) x 256)
        int pooled = dim(t, "seg_1.weight", 1, 2 * 256 * 10);
        yield new SourceModel(
            "wespeaker", true, kind, dim(t, "seg_1.weight", 0, 256), pooled / (2 * 256) * 8);
      }
      default ->
          new SourceModel(
              "wespeaker",
              true,
              kind,
              dim(t, "linear.weight", 0, 192),
              dim(t, "layer1.conv.weight", 1, SpeakerBackbones.DEFAULT_FEATURE_DIM));
    };
  }

  private static String canonical(String arch) {
    String a = arch.trim().toLowerCase(Locale.ROOT);
    if (SpeakerBackbones.names().contains(a) && !a.equals("small")) {
      return a;
    }
    if (a.equals("small")) {
      throw new UserInputException("--arch small is qmargin's own network; nothing to import");
    }
    try {
      return Backbones.canonicalName(a);
    } catch (UserInputException e) {
      throw new UserInputException(
          "unknown --arch '"
              + arch
              + "'; known: iresnet18, iresnet34, iresnet50, iresnet100 (r18, r34, r50, r100),"
              + " mobilefacenet (mbf), resnet18, resnet34, ecapa512, ecapa1024");
    }
  }

  private static String iresnetDepth(StateDict sd) {
    int[] blocks = blocksPerStage(sd);
    String depth =
        switch (Arrays.toString(blocks)) {
          case "[2, 2, 2, 2]" -> "iresnet18";
          case "[3, 4, 6, 3]" -> "iresnet34";
          case "[3, 4, 14, 3]" -> "iresnet50";
          case "[3, 13, 30, 3]" -> "iresnet100";
          default -> null;
        };
    if (depth == null) {
      throw new UserInputException(
          sd.source()
              + ": an IResNet with "
              + Arrays.toString(blocks)
              + " blocks per stage, none of r18, r34, r50, r100");
    }
    return depth;
  }

  private static String wespeakerDepth(StateDict sd) {
    int[] blocks = blocksPerStage(sd);
    return switch (Arrays.toString(blocks)) {
      case "[2, 2, 2, 2]" -> "resnet18";
      case "[3, 4, 6, 3]" -> "resnet34";
      default ->
          throw new UserInputException(
              sd.source()
                  + ": a wespeaker ResNet with "
                  + Arrays.toString(blocks)
                  + " blocks per stage, neither ResNet18 nor ResNet34");
    };
  }

  /** Distinct block indices under {@code layer1.} to {@code layer4.}. */
  private static int[] blocksPerStage(StateDict sd) {
    int[] blocks = new int[4];
    for (int s = 0; s < 4; s++) {
      String p = "layer" + (s + 1) + ".";
      TreeSet<String> seen = new TreeSet<>();
      for (String name : sd.tensors().keySet()) {
        if (name.startsWith(p)) {
          seen.add(name.substring(p.length()).split("\\.")[0]);
        }
      }
      blocks[s] = seen.size();
    }
    return blocks;
  }

  private static int dim(Map<String, StateDict.Tensor> t, String name, int axis, int fallback) {
    StateDict.Tensor x = t.get(name);
    return x == null || x.shape().length <= axis ? fallback : (int) x.shape()[axis];
  }
}
