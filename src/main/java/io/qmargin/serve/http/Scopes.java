package io.qmargin.serve.http;

import io.qmargin.UserText;
import io.qmargin.serve.store.Scope;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The words that name API key scopes ({@code enrol}, {@code verify}, {@code admin}) and the names a
 * key may have, shared by the HTTP API and {@code qmargin serve keys}.
 */
public final class Scopes {
  private Scopes() {}

  /** Key names: letters, digits and {@code . _ -}, at most 64 characters. */
  public static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** The scope words, comma-separated, for messages. */
  public static final String WORDS =
      Arrays.stream(Scope.values()).map(Scopes::word).collect(Collectors.joining(", "));

  public static String word(Scope s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Scope> parse(String word) {
    for (Scope s : Scope.values()) {
      if (word(s).equals(word == null ? null : word.trim().toLowerCase(Locale.ROOT))) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  public static String unknown(String word) {
    return "unknown scope " + UserText.quoted(String.valueOf(word)) + "; the scopes are " + WORDS;
  }

  public static String keyNameProblem(String name) {
    return "invalid key name "
        + UserText.quoted(String.valueOf(name))
        + ": use 1 to 64 letters, digits and . _ -";
  }
}
