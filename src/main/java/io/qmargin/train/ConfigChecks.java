package io.qmargin.train;

import static java.lang.annotation.ElementType.RECORD_COMPONENT;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.qmargin.EnumWords;
import io.qmargin.UserInputException;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The value checks of a bound configuration, declared on its record components: {@link Range} for
 * numbers (each element of a list of numbers), {@link OneOf} for words that are not a component
 * kind (a kind is an enum, whose words Jackson checks as it binds; here only its absence). One walk
 * over the records checks every key, so a new key gets its check by annotation instead of by
 * another {@code if}. Errors name the snake_case key path, the allowed values and the value given.
 */
final class ConfigChecks {
  private ConfigChecks() {}

  /** The closed (or, with {@code minOpen}/{@code maxOpen}, open) interval a number must lie in. */
  @Retention(RUNTIME)
  @Target(RECORD_COMPONENT)
  @interface Range {
    double min() default Double.NEGATIVE_INFINITY;

    double max() default Double.POSITIVE_INFINITY;

    boolean minOpen() default false;

    boolean maxOpen() default false;
  }

  /** The words a text value may be (compared ignoring case). */
  @Retention(RUNTIME)
  @Target(RECORD_COMPONENT)
  @interface OneOf {
    String[] value();
  }

  private static final PropertyNamingStrategies.NamingBase SNAKE =
      (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

  /**
   * Checks every annotated component of {@code config} and its nested records; a failure is a
   * {@link UserInputException} prefixed with {@code originOf} of the key path (where the value came
   * from).
   */
  static void check(Record config, Function<String, String> originOf) {
    walk(config, "", originOf);
  }

  private static void walk(Record r, String prefix, Function<String, String> originOf) {
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      String key = prefix + SNAKE.translate(c.getName());
      Object value;
      try {
        value = c.getAccessor().invoke(r);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException(e);
      }
      String problem = problem(c, value);
      if (problem != null) {
        throw new UserInputException(originOf.apply(key) + ": " + key + " " + problem);
      }
      if (value instanceof Record nested) {
        walk(nested, key + ".", originOf);
      }
    }
  }

  /** What is wrong with {@code value} under the component's annotations, or null. */
  private static String problem(RecordComponent c, Object value) {
    Range range = c.getAnnotation(Range.class);
    if (range != null && value != null) {
      List<?> values = value instanceof List<?> list ? list : List.of(value);
      for (int i = 0; i < values.size(); i++) {
        Object v = values.get(i);
        if (v == null) {
          return "must be "
              + describe(range)
              + ", got null"
              + (value instanceof List<?> ? " at [" + i + "]" : "");
        }
        double x = ((Number) v).doubleValue();
        if (!inside(range, x)) {
          return "must be "
              + describe(range)
              + ", got "
              + number(x)
              + (value instanceof List<?> ? " at [" + i + "]" : "");
        }
      }
    }
    if (c.getType().isEnum() && value == null) {
      return "must be one of " + EnumWords.list(c.getType()) + "; got null";
    }
    OneOf words = c.getAnnotation(OneOf.class);
    if (words != null
        && !List.of(words.value()).contains(String.valueOf(value).toLowerCase(Locale.ROOT))) {
      return "must be one of " + String.join(", ", words.value()) + "; got '" + value + "'";
    }
    return null;
  }

  static boolean inside(Range r, double x) {
    return !Double.isNaN(x)
        && (r.minOpen() ? x > r.min() : x >= r.min())
        && (r.maxOpen() ? x < r.max() : x <= r.max());
  }

  /** "&gt;= 1", "&gt; 0", "in [0, 1)" ... */
  static String describe(Range r) {
    boolean low = r.min() != Double.NEGATIVE_INFINITY;
    boolean high = r.max() != Double.POSITIVE_INFINITY;
    if (low && high) {
      return "in "
          + (r.minOpen() ? "(" : "[")
          + number(r.min())
          + ", "
          + number(r.max())
          + (r.maxOpen() ? ")" : "]");
    }
    if (low) {
      return (r.minOpen() ? "> " : ">= ") + number(r.min());
    }
    return high ? (r.maxOpen() ? "< " : "<= ") + number(r.max()) : "a number";
  }

  /** A number as a user wrote it: 1 rather than 1.0, 0.001 rather than 1.0E-3. */
  static String number(double x) {
    return Double.isFinite(x)
        ? BigDecimal.valueOf(x).stripTrailingZeros().toPlainString()
        : Double.toString(x);
  }
}
