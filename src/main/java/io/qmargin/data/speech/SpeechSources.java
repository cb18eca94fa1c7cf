package io.qmargin.data.speech;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the real speech with speaker labels that this machine has: FSDD in the shared data folder
 * and the Debian speech packages ({@link DebianSpeech}) under the file-system root. Nothing is
 * downloaded or installed.
 */
public final class SpeechSources {
  private SpeechSources() {}

  /**
   * Environment variable naming the shared data folder (the one holding {@code fsdd/}, {@code
   * lfw/}).
   */
  public static final String ENV = "QMARGIN_DATA";

  /** One source that was found: a corpus with what a user should know about it. */
  public record Source(
      String name, SpeechCorpus corpus, int nativeSampleRate, String licence, Path location) {
    /** "FSDD: 6 speakers, 3000 utterances, 8 kHz, CC BY-SA 4.0 (/data/fsdd)". */
    public String describe() {
      return name
          + ": "
          + corpus.summary()
          + ", "
          + rate(nativeSampleRate)
          + ", "
          + licence
          + " ("
          + location
          + ")";
    }
  }

  /** What {@link #discover} found, and notes on what it did not. */
  public record Discovery(List<Source> sources, List<String> notes) {
    public Discovery {
      sources = List.copyOf(sources);
      notes = List.copyOf(notes);
    }

    public boolean isEmpty() {
      return sources.isEmpty();
    }

    /**
     * All sources in one corpus, utterance ids and speakers prefixed by the source's short name
     * ("fsdd/george", "asterisk/Allison", "fillets/cs-m").
     */
    public SpeechCorpus combined() {
      List<SpeechCorpus> parts = new ArrayList<>();
      for (Source s : sources) {
        parts.add(s.corpus().prefixed(prefix(s.name())));
      }
      return SpeechCorpus.concat(
          parts,
          "discovered speech ("
              + String.join(", ", sources.stream().map(Source::name).toList())
              + ")");
    }

    /**
     * The lowest native sample rate among the sources (what a model for all of them should use so
     * that no source has empty high bands), or 16000 when nothing was found.
     */
    public int suggestedSampleRate() {
      return sources.stream().mapToInt(Source::nativeSampleRate).min().orElse(16000);
    }

    /** Human-readable lines: one per source, then the notes. */
    public String describe() {
      StringBuilder b = new StringBuilder();
      if (sources.isEmpty()) {
        b.append("no real speech found\n");
      }
      for (Source s : sources) {
        b.append(s.describe()).append('\n');
      }
      for (String n : notes) {
        b.append("note: ").append(n).append('\n');
      }
      return b.toString();
    }

    private static String prefix(String name) {
      return name.toLowerCase(java.util.Locale.ROOT)
          .replaceAll("[^a-z0-9]+", "-")
          .replaceAll("^-|-$", "");
    }
  }

  /** The user's data folder named by {@value #ENV}, or null when it is not set. */
  public static Path sharedDataDir(Map<String, String> env) {
    String v = env.get(ENV);
    return v == null || v.isBlank() ? null : Path.of(v);
  }

  /** FSDD under {@code sharedData} plus the Debian packages installed on this machine. */
  public static Discovery discover(Path sharedData) {
    return discover(sharedData, Path.of("/"));
  }

  /**
   * FSDD under {@code sharedData} (may be null) plus the Debian packages under {@code systemRoot}
   * ("/", or a folder where packages were unpacked with {@code dpkg-deb -x package.deb folder}).
   */
  public static Discovery discover(Path sharedData, Path systemRoot) {
    List<Source> sources = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Path fsdd = sharedData == null ? null : sharedData.resolve("fsdd");
    if (fsdd != null && Files.isDirectory(fsdd)) {
      sources.add(
          new Source(
              "FSDD",
              Fsdd.read(fsdd),
              Fsdd.SAMPLE_RATE,
              "CC BY-SA 4.0, attribute Zohar Jackson / FSDD",
              fsdd));
    } else {
      notes.add(
          "FSDD not found"
              + (fsdd == null ? "" : " at " + fsdd)
              + " (set "
              + ENV
              + " to the shared data folder)");
    }
    Path asteriskDir = systemRoot.resolve(DebianSpeech.ASTERISK_SOUNDS);
    SpeechCorpus asterisk = DebianSpeech.asterisk(asteriskDir);
    if (asterisk.size() > 0) {
      sources.add(
          new Source(
              "Asterisk",
              asterisk,
              DebianSpeech.ASTERISK_SAMPLE_RATE,
              "CC-BY(-SA) 3.0, voices " + String.join(", ", asterisk.speakers()),
              asteriskDir));
    }
    Path filletsDir = systemRoot.resolve(DebianSpeech.FILLETS_SOUNDS);
    SpeechCorpus fillets = DebianSpeech.fillets(filletsDir);
    if (fillets.size() > 0) {
      sources.add(
          new Source("Fillets", fillets, DebianSpeech.FILLETS_SAMPLE_RATE, "GPL-2", filletsDir));
    }
    List<String> missing = new ArrayList<>();
    Set<String> installed = installedPackages(systemRoot);
    for (String p : concat(DebianSpeech.ASTERISK_PACKAGES, DebianSpeech.FILLETS_PACKAGES)) {
      if (!installed.contains(p)) {
        missing.add(p);
      }
    }
    if (!missing.isEmpty() && !installed.isEmpty()) {
      notes.add(
          "Debian speech packages not installed: "
              + String.join(" ", missing)
              + " (more speakers: apt-get install them, or unpack with apt-get download + dpkg-deb -x)");
    }
    return new Discovery(sources, notes);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** Packages dpkg lists as installed under {@code root}; empty when there is no dpkg database. */
  static Set<String> installedPackages(Path root) {
    Path status = root.resolve("var/lib/dpkg/status");
    Set<String> out = new HashSet<>();
    if (!Files.isRegularFile(status)) {
      return out;
    }
    try {
      String pkg = null;
      for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
        if (line.startsWith("Package: ")) {
          pkg = line.substring(9).strip();
        } else if (line.startsWith("Status: ") && pkg != null && line.endsWith(" installed")) {
          out.add(pkg);
        } else if (line.isEmpty()) {
          pkg = null;
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  static String rate(int hz) {
    return hz % 1000 == 0
        ? hz / 1000 + " kHz"
        : String.format(java.util.Locale.ROOT, "%.2f kHz", hz / 1000.0);
  }
}
