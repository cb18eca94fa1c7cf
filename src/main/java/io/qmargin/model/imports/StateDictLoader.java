package io.qmargin.model.imports;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.qmargin.UserInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Copies a foreign {@link StateDict} into an initialised qmargin backbone by the names of {@link
 * SourceLayouts}, checking every shape. All or nothing: every problem is collected first (tensors
 * whose shape does not fit, tensors the backbone needs and the file lacks, tensors of the file the
 * backbone does not use), and one {@link UserInputException} names them all before any weight is
 * written. BatchNorm's {@code num_batches_tracked} (a counter) and a wespeaker classification head
 * ({@code projection.*}, trained with the network but not part of it) are not used and not errors:
 * they are returned as ignored.
 */
public final class StateDictLoader {
  private StateDictLoader() {}

  /** Problems listed in a message before "and N more". */
  private static final int LISTED = 8;

  /**
   * Loads {@code sd} into {@code backbone} (initialised, built by {@code model.create()}).
   *
   * @return the names of the classification head's tensors, which were not used
   */
  public static List<String> load(Block backbone, SourceModel model, StateDict sd) {
    List<String> names = SourceLayouts.names(model);
    PairList<String, Parameter> params = backbone.getParameters();
    if (params.size() != names.size()) {
      throw new IllegalStateException(
          model.backbone()
              + ": "
              + params.size()
              + " DJL parameters but "
              + names.size()
              + " source names");
    }
    List<String> misfits = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    Set<String> unused = new LinkedHashSet<>(sd.tensors().keySet());
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      unused.remove(name);
      StateDict.Tensor t = sd.tensors().get(name);
      long[] expected = params.get(i).getValue().getShape().getShape();
      if (t == null) {
        missing.add(name + " " + Arrays.toString(expected));
      } else if (!Arrays.equals(expected, t.shape())) {
        misfits.add(
            name
                + " (expected "
                + Arrays.toString(expected)
                + ", found "
                + Arrays.toString(t.shape())
                + ")");
      }
    }
    List<String> ignored = new ArrayList<>();
    for (String name : List.copyOf(unused)) {
      if (name.endsWith(".num_batches_tracked")) {
        unused.remove(name); // a counter of training batches: no part of the function
      } else if (name.startsWith("projection.")) {
        ignored.add(name);
        unused.remove(name);
      }
    }
    if (!misfits.isEmpty() || !missing.isEmpty() || !unused.isEmpty()) {
      StringBuilder m = new StringBuilder();
      m.append(sd.source())
          .append(": does not fit ")
          .append(model.project())
          .append("'s ")
          .append(model.backbone())
          .append(" (d = ")
          .append(model.embeddingDim())
          .append(model.speaker() ? ", F = " + model.featureDim() : "")
          .append(")");
      list(m, "tensors of another shape", misfits);
      list(m, "missing tensors", missing);
      list(m, "unused tensors", List.copyOf(unused));
      throw new UserInputException(m.toString());
    }
    for (int i = 0; i < names.size(); i++) {
      Pair<String, Parameter> p = params.get(i);
      NDArray array = p.getValue().getArray();
      array.set(sd.tensors().get(names.get(i)).values());
    }
    return ignored;
  }

  private static void list(StringBuilder m, String what, List<String> items) {
    if (items.isEmpty()) {
      return;
    }
    m.append("; ").append(items.size()).append(' ').append(what).append(": ");
    m.append(String.join(", ", items.subList(0, Math.min(LISTED, items.size()))));
    if (items.size() > LISTED) {
      m.append(", and ").append(items.size() - LISTED).append(" more");
    }
  }
}
