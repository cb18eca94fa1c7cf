package io.qmargin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository carries what it cites: every package documents itself in a package-info.java,
 * every citation of the method reference names docs/method.md and a section it has, every link
 * between the user docs resolves, and no user doc points at a folder outside the repository. Paths
 * are relative to the project root, where Maven runs the tests.
 */
class DocumentationTest {
  private static final Path MAIN = Path.of("src/main/java");
  private static final Path METHOD = Path.of("docs/method.md");

  /**
   * A citation with its section numbers, e.g. "docs/method.md section 3" or "method.md sections 2
   * and 5".
   */
  private static final Pattern SECTION_CITATION =
      Pattern.compile("method\\.md\\)?,? sections? (\\d+(?:(?:, | and )\\d+)*)");

  private static final Pattern MARKDOWN_LINK =
      Pattern.compile("\\]\\(([^)#\\s]+\\.md)(?:#[^)]*)?\\)");

  @Test
  void everyMainPackageHasAPackageInfoWithJavadoc() throws IOException {
    List<String> missing = new ArrayList<>();
    try (Stream<Path> dirs = Files.walk(MAIN)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        if (!containsJavaSources(dir)) {
          continue;
        }
        String pkg =
            MAIN.relativize(dir).toString().replace(dir.getFileSystem().getSeparator(), ".");
        Path info = dir.resolve("package-info.java");
        if (!Files.isRegularFile(info)) {
          missing.add(pkg + ": no package-info.java");
          continue;
        }
        String text = read(info);
        if (!text.startsWith("/**") || !text.contains("\npackage " + pkg + ";")) {
          missing.add(info + ": expected a Javadoc comment followed by 'package " + pkg + ";'");
        }
      }
    }
    assertThat(missing).as("packages without their paragraph").isEmpty();
  }

  @Test
  void everyCitationOfTheMethodNamesDocsMethodMdAndAnExistingSection() throws IOException {
    assertThat(METHOD).as("the method reference the code cites").isRegularFile();
    Set<Integer> sections = new TreeSet<>();
    Matcher heading = Pattern.compile("(?m)^## (\\d+)\\. ").matcher(read(METHOD));
    while (heading.find()) {
      sections.add(Integer.parseInt(heading.group(1)));
    }
    assertThat(sections).as("numbered sections of " + METHOD).isNotEmpty();

    List<String> bad = new ArrayList<>();
    for (Path file : citingFiles()) {
      String text = joinedLines(read(file));
      boolean inDocs = file.startsWith(Path.of("docs"));
      for (int at = text.indexOf("method.md"); at >= 0; at = text.indexOf("method.md", at + 1)) {
        char before = at == 0 ? ' ' : text.charAt(at - 1);
        if (Character.isLetterOrDigit(before) || before == '_' || before == '-') {
          continue; // another file whose name ends so
        }
        // the path from the root, or, within docs/, the name relative to it
        boolean named = (at >= 5 && text.startsWith("docs/", at - 5)) || (inDocs && before != '/');
        if (!named) {
          String context = text.substring(Math.max(0, at - 30), Math.min(text.length(), at + 20));
          bad.add(file + ": '..." + context + "...' does not name docs/method.md");
        }
      }
      Matcher citation = SECTION_CITATION.matcher(text);
      while (citation.find()) {
        for (String n : citation.group(1).split("\\D+")) {
          if (!sections.contains(Integer.parseInt(n))) {
            bad.add(
                file
                    + ": '"
                    + citation.group()
                    + "' cites section "
                    + n
                    + ", which "
                    + METHOD
                    + " lacks");
          }
        }
      }
    }
    assertThat(bad).as("citations of the method reference").isEmpty();
  }

  @Test
  void linksBetweenTheUserDocsResolve() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path doc : userDocs()) {
      Matcher link = MARKDOWN_LINK.matcher(read(doc));
      while (link.find()) {
        String target = link.group(1);
        if (target.contains("://")) {
          continue;
        }
        Path resolved = doc.resolveSibling(target).normalize();
        if (!Files.isRegularFile(resolved)) {
          broken.add(doc + ": link to " + target + " (" + resolved + " does not exist)");
        }
      }
    }
    assertThat(broken).as("links between README.md and docs/").isEmpty();
  }

  @Test
  void userDocsPointAtNothingOutsideTheRepository() throws IOException {
    List<String> outside = new ArrayList<>();
    for (Path doc : userDocs()) {
      String[] lines = read(doc).split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        for (String marker : List.of("../shared", "/work/")) {
          if (lines[i].contains(marker)) {
            outside.add(doc + ":" + (i + 1) + ": " + lines[i].strip());
          }
        }
      }
    }
    assertThat(outside).as("references to folders outside the repository").isEmpty();
  }

  private static List<Path> userDocs() throws IOException {
    List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
    try (Stream<Path> files = Files.list(Path.of("docs"))) {
      files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  /** Sources, resources, configs and docs: everything that may cite the method reference. */
  private static List<Path> citingFiles() throws IOException {
    List<Path> files = new ArrayList<>(userDocs());
    for (String root : List.of("src", "configs")) {
      try (Stream<Path> walk = Files.walk(Path.of(root))) {
        walk.filter(Files::isRegularFile)
            .filter(p -> p.toString().matches(".*\\.(java|yaml|yml|md|txt)$"))
            .filter(
                p ->
                    !p.endsWith(
                        "DocumentationTest.java")) // this test names the patterns it looks for
            .sorted()
            .forEach(files::add);
      }
    }
    return files;
  }

  /**
   * The text with line breaks and the comment markers that continue a line ("*", "//", "#") folded
   * into spaces.
   */
  private static String joinedLines(String text) {
    return text.replaceAll("[ \\t]*\\R[ \\t]*(?:\\*(?!/)|//|#)?[ \\t]*", " ");
  }

  private static boolean containsJavaSources(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(
          p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
