package io.qmargin.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.UserInputException;
import io.qmargin.UserText;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An {@link OperatingPoint} as a JSON file: its fields in snake_case ({@code model_id}, {@code
 * target_far}, {@code threshold}, {@code far}, {@code tar}, {@code tar_ci} [low, high], {@code
 * impostors}, {@code genuines}, {@code source}), plus {@code accept} and {@code convention}, which
 * state the rule in words for a reader and are not read back.
 */
public final class OperatingPointFile {
  private OperatingPointFile() {}

  static final String ACCEPT = "score >= threshold";
  static final String CONVENTION =
      "strict: of the thresholds whose FAR is at most target_far, the one with the largest TAR;"
          + " tar_ci is the Clopper-Pearson 95% interval of the TAR";

  /** Writes the file atomically. */
  public static void write(Path file, OperatingPoint op) throws IOException {
    ObjectNode o = Json.mapper().createObjectNode();
    if (op.modelId() == null) {
      o.putNull("model_id");
    } else {
      o.put("model_id", op.modelId());
    }
    o.put("target_far", op.targetFar());
    o.put("threshold", op.threshold());
    o.put("accept", ACCEPT);
    o.put("far", op.far());
    o.put("tar", op.tar());
    o.putArray("tar_ci").add(op.tarLow()).add(op.tarHigh());
    o.put("impostors", op.impostors());
    o.put("genuines", op.genuines());
    o.put("source", op.source());
    o.put("convention", CONVENTION);
    AtomicFiles.writeString(file, Json.pretty(o));
  }

  /**
   * Reads a file written by {@link #write}.
   *
   * @throws UserInputException naming the file and the field when it is unreadable or incomplete
   */
  public static OperatingPoint read(Path file) {
    JsonNode o;
    try {
      o = Json.mapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new UserInputException(
          file + ": not a readable operating point (" + e.getMessage() + ")", e);
    }
    if (o == null || !o.isObject()) {
      throw new UserInputException(file + ": not an operating point (expected a JSON object)");
    }
    JsonNode ci = o.path("tar_ci");
    if (!ci.isArray() || ci.size() != 2) {
      throw new UserInputException(file + ": 'tar_ci' must be [low, high]");
    }
    JsonNode model = o.path("model_id");
    if (!model.isMissingNode() && !model.isNull() && !model.isTextual()) {
      throw new UserInputException(
          file + ": 'model_id' must be a string, got " + UserText.quoted(model.toString()));
    }
    return new OperatingPoint(
        model.isTextual() ? model.asText() : null,
        number(file, o, "target_far"),
        number(file, o, "threshold"),
        number(file, o, "far"),
        number(file, o, "tar"),
        Json.number(file, "tar_ci", ci.get(0), Double.NaN),
        Json.number(file, "tar_ci", ci.get(1), Double.NaN),
        Json.count(file, "impostors", o.get("impostors")),
        Json.count(file, "genuines", o.get("genuines")),
        o.path("source").asText(""));
  }

  private static double number(Path file, JsonNode o, String key) {
    double v = Json.number(file, key, o.get(key), Double.NaN);
    if (!Double.isFinite(v)) {
      throw new UserInputException(file + ": '" + key + "' must be a finite number");
    }
    return v;
  }
}
