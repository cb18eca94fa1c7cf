package io.qmargin.train;

import io.qmargin.UserInputException;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The files of one training run:
 *
 * <pre>
 *   config.yaml              the resolved configuration (defaults + file + --set)
 *   metrics.jsonl            one JSON object per logged step (and events such as A3M re-inits)
 *   validation.jsonl         one JSON object per validation
 *   checkpoints/step-NNNNNNNN/  backbone.params, optimizer/, head/, state.json
 *   checkpoints/latest       name of the newest complete checkpoint
 *   model/                   the final model: backbone.params, model.json (what embed needs)
 *   results.json             final validation results
 * </pre>
 *
 * A checkpoint is written into a hidden folder and renamed into place, and {@code latest} is
 * replaced atomically after that, so a kill at any moment leaves the previous checkpoint usable.
 */
public final class RunDirectory {
  public static final String CONFIG = "config.yaml";
  private static final com.fasterxml.jackson.databind.ObjectWriter LINE =
      Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
  private final Path root;

  public RunDirectory(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path config() {
    return root.resolve(CONFIG);
  }

  public Path metrics() {
    return root.resolve("metrics.jsonl");
  }

  public Path validation() {
    return root.resolve("validation.jsonl");
  }

  public Path checkpoints() {
    return root.resolve("checkpoints");
  }

  public Path model() {
    return root.resolve("model");
  }

  public Path results() {
    return root.resolve("results.json");
  }

  /** The newest complete checkpoint, if any. */
  public Optional<Path> latestCheckpoint() {
    Path latest = checkpoints().resolve("latest");
    if (!Files.exists(latest)) {
      return Optional.empty();
    }
    try {
      Path dir = checkpoints().resolve(Files.readString(latest).trim());
      if (!Files.isDirectory(dir)) {
        throw new UserInputException(latest + " names " + dir + ", which does not exist");
      }
      return Optional.of(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a checkpoint through {@code writer} into a temporary folder, then publishes it. */
  public Path writeCheckpoint(long step, CheckpointWriter writer, int keep) throws IOException {
    String name = String.format(java.util.Locale.ROOT, "step-%08d", step);
    Path target = checkpoints().resolve(name);
    Path partial = checkpoints().resolve("." + name + ".partial");
    deleteTree(partial);
    Files.createDirectories(partial);
    writer.write(partial);
    deleteTree(target);
    try {
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(partial, target);
    }
    AtomicFiles.writeString(checkpoints().resolve("latest"), name + "\n");
    prune(keep, name);
    return target;
  }

  /** Writes the final model through {@code writer} into a temporary folder, then renames it to model/. */
  public void writeModel(CheckpointWriter writer) throws IOException {
    Path partial = root.resolve(".model.partial");
    deleteTree(partial);
    Files.createDirectories(partial);
    writer.write(partial);
    Path old = root.resolve(".model.old");
    deleteTree(old);
    if (Files.exists(model())) {
      Files.move(model(), old);
    }
    Files.move(partial, model(), StandardCopyOption.ATOMIC_MOVE);
    deleteTree(old);
  }

  @FunctionalInterface
  public interface CheckpointWriter {
    void write(Path dir) throws IOException;
  }

  private void prune(int keep, String newest) throws IOException {
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.list(checkpoints())) {
      s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("step-")).forEach(all::add);
    }
    all.sort(Comparator.comparing(p -> p.getFileName().toString()));
    for (int i = 0; i < all.size() - keep; i++) {
      if (!all.get(i).getFileName().toString().equals(newest)) {
        deleteTree(all.get(i));
      }
    }
  }

  /** Appends one JSON line and flushes it to disk. */
  public void append(Path jsonl, Map<String, ?> record) {
    try {
      String line = LINE.writeValueAsString(record);
      Files.writeString(jsonl, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Drops the lines of a JSON-lines log whose {@code step} is beyond {@code lastStep} (and a torn
   * last line): on resume, the log continues from the checkpoint as if never interrupted.
   */
  public void truncateLog(Path jsonl, long lastStep) throws IOException {
    if (!Files.exists(jsonl)) {
      return;
    }
    StringBuilder kept = new StringBuilder();
    for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      try {
        var node = Json.mapper().readTree(line);
        if (node.has("step") && node.get("step").asLong() > lastStep) {
          continue;
        }
      } catch (IOException torn) {
        continue;
      }
      kept.append(line).append('\n');
    }
    AtomicFiles.writeString(jsonl, kept.toString());
  }

  /** Deletes a folder and everything in it (nothing when it does not exist). */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
