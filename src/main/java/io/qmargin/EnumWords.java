package io.qmargin;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Enum constants as users spell them in configs and options: the constant's name in lower case
 * ({@code PARTIAL_FC} is {@code partial_fc}). An enum a user names returns {@link #word} from its
 * {@code toString}, marked {@code @JsonValue} so that Jackson reads and writes the same word, and
 * picocli matches an option's value against it.
 */
public final class EnumWords {
  private EnumWords() {}

  /** The word of one constant. */
  public static String word(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  /** The words of every constant of {@code type}, in declaration order: "a, b, c". */
  public static String list(Class<?> type) {
    return Arrays.stream(type.getEnumConstants()).map(c -> word((Enum<?>) c)).collect(Collectors.joining(", "));
  }

  /** The error text for a value that is none of the words: "{@code what} must be one of a, b, c; got 'y'". */
  public static String notOneOf(String what, String accepted, String given) {
    return what + " must be one of " + accepted + "; got " + UserText.quoted(given);
  }
}
