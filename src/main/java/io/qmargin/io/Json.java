package io.qmargin.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.qmargin.UserInputException;
import io.qmargin.UserText;
import java.nio.file.Path;

/**
 * One configured Jackson mapper for reports and results (records serialise by their components).
 */
public final class Json {
  private Json() {}

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static String pretty(Object value) {
    try {
      return MAPPER.writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass(), e);
    }
  }

  /**
   * A number read back from a JSON file we wrote: a JSON number, or null for a value that was not
   * finite (how reports store NaN); {@code ifAbsent} when the field is missing. Anything else (a
   * string such as "lots", a boolean, an object) is an error naming the file and the key, where
   * Jackson's lenient {@code asDouble} would read 0.
   */
  public static double number(Path file, String key, JsonNode value, double ifAbsent) {
    if (value == null || value.isMissingNode()) {
      return ifAbsent;
    }
    if (value.isNull()) {
      return Double.NaN;
    }
    if (!value.isNumber()) {
      throw new UserInputException(
          file + ": '" + key + "' must be a number, got " + UserText.quoted(value.toString()));
    }
    return value.doubleValue();
  }

  /**
   * A count (a non-negative integer) read back from a JSON file; errors name the file and the key.
   */
  public static long count(Path file, String key, JsonNode value) {
    if (value == null
        || !value.isIntegralNumber()
        || value.longValue() < 0
        || !value.canConvertToLong()) {
      throw new UserInputException(
          file
              + ": '"
              + key
              + "' must be a count (an integer >= 0), got "
              + (value == null || value.isMissingNode()
                  ? "nothing"
                  : UserText.quoted(value.toString())));
    }
    return value.longValue();
  }

  /**
   * A number that is an object key (e.g. the FAR "0.001" of a table); errors name the file and the
   * table.
   */
  public static double numericKey(Path file, String table, String key) {
    try {
      return Double.parseDouble(key);
    } catch (NumberFormatException e) {
      throw new UserInputException(
          file
              + ": '"
              + table
              + "' has the key "
              + UserText.quoted(key)
              + ", which is not a number");
    }
  }
}
