package io.qmargin.train;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.qmargin.EnumWords;
import io.qmargin.UserInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a training configuration: the built-in defaults ({@code defaults.yaml}), overridden by a
 * YAML file, overridden by {@code key.path=value} settings, in that order. Every key must exist in
 * the defaults, so a misspelt key is an error naming it instead of a silently ignored setting; a
 * key given twice in one file is an error naming it and its line. Every value is checked when a
 * config is resolved or bound (its type, and the allowed values declared on {@link TrainConfig},
 * see {@link ConfigChecks}), and an error names where the value came from: the file, or the {@code
 * --set} that gave it. A {@code loss} left null is the task's default ({@link
 * TrainingTasks#defaultLoss}).
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  // ACCEPT_FLOAT_AS_INT off: Jackson would otherwise truncate batch_size: 12.5 to 12. Kinds (enums)
  // are
  // read by their lower-case word in any case, never by their position (head.type: 1 is not
  // sparse).
  private static final ObjectMapper YAML =
      YAMLMapper.builder(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .build();

  /** The defaults as a YAML tree. */
  public static ObjectNode defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream("defaults.yaml")) {
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Defaults, then {@code file} (may be null), then each {@code key.path=value} of {@code
   * settings}.
   */
  public static ObjectNode resolve(Path file, List<String> settings) {
    if (file == null) {
      return resolve((String) null, "config", settings);
    }
    String text;
    try {
      text = java.nio.file.Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new UserInputException(file + ": no such config file");
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read (" + e.getMessage() + ")");
    }
    return resolve(text, file.toString(), settings);
  }

  /**
   * {@link #resolve(Path, List)} for YAML text (null: defaults only); {@code origin} names it in
   * errors.
   */
  public static ObjectNode resolve(String yaml, String origin, List<String> settings) {
    ObjectNode tree = defaults();
    Map<String, String> origins =
        new HashMap<>(); // key path -> where its value came from, for errors
    if (yaml != null) {
      JsonNode user;
      try {
        user = YAML.readTree(yaml);
      } catch (IOException e) {
        throw new UserInputException(origin + ": " + yamlError(e));
      }
      if (user != null && !user.isMissingNode() && !user.isNull()) {
        if (!user.isObject()) {
          throw new UserInputException(
              origin + ": a config must be a YAML mapping of keys to values");
        }
        merge(tree, (ObjectNode) user, "", origin, origins);
      }
    }
    for (String setting : settings) {
      origins.put(set(tree, setting), "--set " + setting);
    }
    if (tree.get("loss").isNull() && tree.get("task").isTextual()) {
      TrainingTasks.defaultLoss(tree.get("task").asText())
          .ifPresent(loss -> tree.put("loss", loss));
    }
    bind(tree, key -> originOf(key, origins, origin));
    return tree;
  }

  /**
   * Binds a resolved tree to the record, checking every value; errors name {@code origin} and the
   * key.
   */
  public static TrainConfig bind(JsonNode tree, String origin) {
    return bind(tree, key -> origin);
  }

  private static TrainConfig bind(JsonNode tree, Function<String, String> originOf) {
    TrainConfig config;
    try {
      config = YAML.treeToValue(tree, TrainConfig.class);
    } catch (UnrecognizedPropertyException e) {
      String key = path(e);
      throw new UserInputException(originOf.apply(key) + ": unknown key '" + key + "'");
    } catch (MismatchedInputException e) {
      String key = path(e);
      if (e.getTargetType() != null && e.getTargetType().isEnum()) {
        throw new UserInputException(
            originOf.apply(key)
                + ": "
                + key
                + " "
                + EnumWords.notOneOf(EnumWords.list(e.getTargetType()), textAt(tree, key)));
      }
      throw new UserInputException(
          originOf.apply(key)
              + ": "
              + key
              + " must be "
              + kind(e.getTargetType())
              + ", got "
              + valueAt(tree, key));
    } catch (JsonProcessingException e) {
      String key = path(e);
      throw new UserInputException(
          originOf.apply(key) + ": " + e.getOriginalMessage() + " (at " + key + ")");
    }
    ConfigChecks.check(config, originOf);
    TrainingTasks.checkKinds(config, originOf);
    TrainConfig.Schedule schedule = config.schedule();
    if (schedule.warmupEpochs() > 0 && schedule.warmupEpochs() >= schedule.epochs()) {
      // the same rule in steps is LearningRateSchedule's; in epochs it is known before any data is
      // read
      throw new UserInputException(
          originOf.apply("schedule.warmup_epochs")
              + ": schedule.warmup_epochs ("
              + ConfigChecks.number(schedule.warmupEpochs())
              + ") must be shorter than schedule.epochs ("
              + ConfigChecks.number(schedule.epochs())
              + "), or the learning rate never leaves its warm-up");
    }
    if (config.loss() == null) {
      throw new UserInputException(
          originOf.apply("loss")
              + ": loss is not set; give a loss spec, e.g. "
              + TrainingTasks.FACE_LOSS);
    }
    try {
      io.qmargin.loss.LossSpec.parse(config.loss());
    } catch (UserInputException e) {
      throw new UserInputException(originOf.apply("loss") + ": loss: " + e.getMessage());
    }
    return config;
  }

  public static TrainConfig load(Path file, List<String> settings) {
    return bind(resolve(file, settings), file == null ? "config" : file.toString());
  }

  /** The tree as YAML text (for {@code RUN/config.yaml}). */
  public static String toYaml(JsonNode tree) {
    try {
      return YAML.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a resolved config back (a run directory's {@code config.yaml}): no defaults added. */
  public static ObjectNode readResolved(Path file) {
    try {
      return (ObjectNode) YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read the run's config: " + e.getMessage());
    }
  }

  private static void merge(
      ObjectNode base, ObjectNode over, String prefix, String origin, Map<String, String> origins) {
    Iterator<Map.Entry<String, JsonNode>> it = over.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix + e.getKey();
      JsonNode existing = base.get(e.getKey());
      if (existing == null) {
        throw new UserInputException(
            origin + ": unknown key '" + key + "' (see qmargin train --help for the keys)");
      }
      if (existing.isObject() && e.getValue().isObject()) {
        merge((ObjectNode) existing, (ObjectNode) e.getValue(), key + ".", origin, origins);
      } else if (existing.isObject()) {
        throw new UserInputException(
            origin
                + ": '"
                + key
                + "' is a section; give its keys, e.g. "
                + key
                + "."
                + existing.fieldNames().next());
      } else {
        base.set(e.getKey(), e.getValue());
        origins.put(key, origin);
      }
    }
  }

  /** Applies one {@code key.path=value}; returns the key path. */
  private static String set(ObjectNode tree, String setting) {
    int eq = setting.indexOf('=');
    if (eq <= 0) {
      throw new UserInputException("--set expects key.path=value, got '" + setting + "'");
    }
    String key = setting.substring(0, eq).trim();
    String text = setting.substring(eq + 1).trim();
    String[] parts = key.split("\\.");
    ObjectNode node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      if (child == null || !child.isObject()) {
        throw new UserInputException("--set " + setting + ": unknown section '" + parts[i] + "'");
      }
      node = (ObjectNode) child;
    }
    String leaf = parts[parts.length - 1];
    if (!node.has(leaf)) {
      throw new UserInputException("--set " + setting + ": unknown key '" + key + "'");
    }
    if (node.get(leaf).isObject()) {
      throw new UserInputException(
          "--set " + setting + ": '" + key + "' is a section, not a value");
    }
    JsonNode value;
    try {
      value = YAML.readTree(text.isEmpty() ? "null" : text);
    } catch (IOException e) {
      throw new UserInputException(
          "--set " + setting + ": cannot read the value: " + e.getMessage());
    }
    node.set(leaf, value == null || value.isMissingNode() ? YAML.nullNode() : value);
    return key;
  }

  /**
   * Where the value of {@code key} (e.g. validation.far[1]) came from: a file, a --set, else {@code
   * fallback}.
   */
  private static String originOf(String key, Map<String, String> origins, String fallback) {
    String k = key.replaceAll("\\[\\d+]$", "");
    return origins.getOrDefault(k, fallback);
  }

  /** What a value of Java type {@code t} is called in messages. */
  private static String kind(Class<?> t) {
    if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
      return "an integer";
    }
    if (t == double.class || t == Double.class) {
      return "a number";
    }
    if (t == boolean.class || t == Boolean.class) {
      return "true or false";
    }
    if (t != null && java.util.Collection.class.isAssignableFrom(t)) {
      return "a list [a, b, ...]";
    }
    return t == null ? "of another type" : "a " + t.getSimpleName();
  }

  /** The YAML text of the value at a key path, for messages. */
  private static String valueAt(JsonNode tree, String key) {
    JsonNode node = scalarAt(tree, key);
    return node.isTextual() ? "'" + node.asText() + "'" : node.toString();
  }

  /** The value at a key path as text, unquoted. */
  private static String textAt(JsonNode tree, String key) {
    JsonNode node = scalarAt(tree, key);
    return node.isTextual() ? node.asText() : node.toString();
  }

  /** The node at a key path such as {@code validation.far[1]}. */
  private static JsonNode scalarAt(JsonNode tree, String key) {
    JsonNode node = tree;
    for (String part : key.split("\\.")) {
      int bracket = part.indexOf('[');
      node = node.path(bracket < 0 ? part : part.substring(0, bracket));
      if (bracket >= 0) {
        node = node.path(Integer.parseInt(part.substring(bracket + 1, part.length() - 1)));
      }
    }
    return node;
  }

  /** A YAML syntax error or a key given twice, with its line. */
  private static String yamlError(IOException e) {
    if (e instanceof JsonProcessingException p) {
      JsonLocation at = p.getLocation();
      String line = at != null && at.getLineNr() > 0 ? "line " + at.getLineNr() + ": " : "";
      if (p.getOriginalMessage().startsWith("Duplicate field")) {
        return line
            + "key "
            + p.getOriginalMessage().substring("Duplicate field ".length())
            + " given twice";
      }
      return line + "not valid YAML: " + p.getOriginalMessage();
    }
    return "not valid YAML: " + e.getMessage();
  }

  private static String path(JsonProcessingException e) {
    if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
      StringBuilder sb = new StringBuilder();
      for (var ref : m.getPath()) {
        if (ref.getFieldName() != null) {
          sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
        } else if (ref.getIndex() >= 0) {
          sb.append('[').append(ref.getIndex()).append(']');
        }
      }
      return sb.toString();
    }
    return "?";
  }
}
