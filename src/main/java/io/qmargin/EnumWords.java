package io.qmargin;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
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
    return Arrays.stream(type.getEnumConstants())
        .map(c -> word((Enum<?>) c))
        .collect(Collectors.joining(", "));
  }

  /** The constant of {@code type} whose word is {@code text}, ignoring case; empty for none. */
  public static <E extends Enum<E>> Optional<E> find(Class<E> type, String text) {
    return Arrays.stream(type.getEnumConstants())
        .filter(c -> word(c).equalsIgnoreCase(text.strip()))
        .findFirst();
  }

  /**
   * What is wrong with a value that is none of the {@code accepted} words: "must be one of a, b, c;
   * got 'y'".
   */
  public static String notOneOf(String accepted, String given) {
    return "must be one of " + accepted + "; got " + UserText.quoted(given);
  }
}
