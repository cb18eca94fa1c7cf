package io.qmargin.eval.compare;

import io.qmargin.io.TextScanner;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The subject (identity) of a trial key. Default rule: the text before the first '/' (VoxCeleb
 * {@code id10001/1zcIwhmdeo4/00001.wav} is {@code id10001}); a key without '/' loses its file
 * extension and then a trailing {@code _<digits>} (LFW {@code Aaron_Peirsol_0001.jpg} is {@code
 * Aaron_Peirsol}); otherwise the key is its own subject. A {@code key subject} file overrides the
 * rule for the keys it lists.
 */
public final class SubjectKeys {
  private static final Pattern IMAGE_NUMBER = Pattern.compile("_\\d+$");

  private final Map<String, String> overrides;

  private SubjectKeys(Map<String, String> overrides) {
    this.overrides = overrides;
  }

  /** The default rule only. */
  public static SubjectKeys byRule() {
    return new SubjectKeys(Map.of());
  }

  /** The rule, overridden by a two-column {@code key subject} file ('#' starts a comment). */
  public static SubjectKeys withFile(Path file) {
    Map<String, String> map = new HashMap<>();
    try (TextScanner sc = new TextScanner(file)) {
      while (sc.next()) {
        sc.expectFields(2, "key subject");
        String key = sc.field(0);
        String prev = map.put(key, sc.field(1));
        if (prev != null && !prev.equals(sc.field(1))) {
          throw sc.error("key '" + key + "' was given subject '" + prev + "' earlier");
        }
      }
    }
    return new SubjectKeys(map);
  }

  /** The subject of a key. */
  public String subjectOf(String key) {
    String s = overrides.get(key);
    return s != null ? s : ruleSubject(key);
  }

  /** The default rule, see the class comment. */
  public static String ruleSubject(String key) {
    int slash = key.indexOf('/');
    if (slash > 0) {
      return key.substring(0, slash);
    }
    int dot = key.lastIndexOf('.');
    String stem = dot > 0 ? key.substring(0, dot) : key;
    String name = IMAGE_NUMBER.matcher(stem).replaceFirst("");
    return name.isEmpty() ? key : name;
  }
}
