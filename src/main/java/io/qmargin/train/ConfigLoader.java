package io.qmargin.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.qmargin.UserInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads a training configuration: the built-in defaults ({@code defaults.yaml}), overridden by a
 * YAML file, overridden by {@code key.path=value} settings, in that order. Every key must exist in
 * the defaults, so a misspelt key is an error naming it instead of a silently ignored setting.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /** The defaults as a YAML tree. */
  public static ObjectNode defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream("defaults.yaml")) {
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Defaults, then {@code file} (may be null), then each {@code key.path=value} of {@code settings}. */
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

  /** {@link #resolve(Path, List)} for YAML text (null: defaults only); {@code origin} names it in errors. */
  public static ObjectNode resolve(String yaml, String origin, List<String> settings) {
    ObjectNode tree = defaults();
    if (yaml != null) {
      JsonNode user;
      try {
        user = YAML.readTree(yaml);
      } catch (IOException e) {
        throw new UserInputException(origin + ": not valid YAML: " + e.getMessage());
      }
      if (user != null && !user.isMissingNode() && !user.isNull()) {
        if (!user.isObject()) {
          throw new UserInputException(origin + ": a config must be a YAML mapping of keys to values");
        }
        merge(tree, (ObjectNode) user, "", origin);
      }
    }
    for (String setting : settings) {
      set(tree, setting);
    }
    return tree;
  }

  /** Binds a resolved tree to the record, with errors that name the key. */
  public static TrainConfig bind(JsonNode tree, String origin) {
    try {
      return YAML.treeToValue(tree, TrainConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new UserInputException(origin + ": unknown key '" + e.getPropertyName() + "'");
    } catch (JsonProcessingException e) {
      throw new UserInputException(origin + ": " + e.getOriginalMessage() + " (at " + path(e) + ")");
    }
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

  private static void merge(ObjectNode base, ObjectNode over, String prefix, String origin) {
    Iterator<Map.Entry<String, JsonNode>> it = over.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix + e.getKey();
      JsonNode existing = base.get(e.getKey());
      if (existing == null) {
        throw new UserInputException(origin + ": unknown key '" + key + "' (see qmargin train --help for the keys)");
      }
      if (existing.isObject() && e.getValue().isObject()) {
        merge((ObjectNode) existing, (ObjectNode) e.getValue(), key + ".", origin);
      } else if (existing.isObject()) {
        throw new UserInputException(origin + ": '" + key + "' is a section; give its keys, e.g. " + key + "."
            + existing.fieldNames().next());
      } else {
        base.set(e.getKey(), e.getValue());
      }
    }
  }

  private static void set(ObjectNode tree, String setting) {
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
      throw new UserInputException("--set " + setting + ": '" + key + "' is a section, not a value");
    }
    JsonNode value;
    try {
      value = YAML.readTree(text.isEmpty() ? "null" : text);
    } catch (IOException e) {
      throw new UserInputException("--set " + setting + ": cannot read the value: " + e.getMessage());
    }
    node.set(leaf, value == null || value.isMissingNode() ? YAML.nullNode() : value);
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
