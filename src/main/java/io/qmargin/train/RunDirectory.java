package io.qmargin.train;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The files of one training run:
 *
 * <pre>
 *   config.yaml              the resolved configuration (defaults + file + --set)
 *   metrics.jsonl            one JSON object per logged step (and events such as A3M re-inits)
 *   validation.jsonl         one JSON object per validation
 *   checkpoints/step-NNNNNNNN/  backbone.params, optimizer/, head/, state.json, manifest.json
 *                            (state.json: step, seed and one object per run hook, see {@link Checkpointing})
 *   checkpoints/latest       name of the newest complete checkpoint
 *   model/                   the final model: backbone.params, model.json (what embed needs)
 *   results.json             final validation results; written last, so its presence means finished
 *   run.lock                 locked by the process that owns the run (see {@link RunLock})
 * </pre>
 *
 * A checkpoint is written into a hidden folder, its manifest (sizes and SHA-256 of its files) last,
 * and renamed into place; {@code latest} is replaced atomically after that and older checkpoints
 * are pruned only then, so a kill at any moment leaves the previous checkpoint usable. On resume
 * the newest checkpoint that matches its manifest is used.
 */
public final class RunDirectory {
  public static final String CONFIG = "config.yaml";
  private static final com.fasterxml.jackson.databind.ObjectWriter LINE =
      Json.mapper()
          .writer()
          .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
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

  public Path lockFile() {
    return root.resolve("run.lock");
  }

  /**
   * Takes the run's lock for this process (creating the directory), or refuses naming the holder.
   */
  public RunLock lock() throws IOException {
    return RunLock.acquire(lockFile());
  }

  /** The run wrote its final model and results: there is nothing left to resume. */
  public boolean isFinished() {
    return Files.isRegularFile(results()) && Files.isDirectory(model());
  }

  /**
   * Refuses to resume anything but a run directory this program wrote: a mistyped path must not
   * start a new run, and a folder without its {@code config.yaml} must not get defaults written in.
   */
  public void requireExistingRun() {
    if (!Files.isDirectory(root)) {
      throw new UserInputException(
          "--resume: "
              + root
              + (Files.exists(root) ? " is not a directory" : " does not exist")
              + "; check --out (it must name the run directory)");
    }
    if (!Files.isRegularFile(config())) {
      throw new UserInputException(
          "--resume: "
              + root
              + " has no "
              + CONFIG
              + ", so it is not a run directory that can be resumed; check --out (nothing was written)");
    }
  }

  /**
   * The checkpoint to resume from: the newest one whose files match its manifest. Each damaged
   * checkpoint passed over is reported to {@code warn}; when checkpoints exist but none is intact
   * the error names the damage of the newest.
   */
  public Optional<Path> checkpointToResume(java.util.function.Consumer<String> warn)
      throws IOException {
    List<Path> all = checkpointFolders();
    String newestDamage = null;
    for (int i = all.size() - 1; i >= 0; i--) {
      Path c = all.get(i);
      Optional<String> damage;
      if (CheckpointManifest.exists(c)) {
        damage = CheckpointManifest.damage(c);
      } else {
        warn.accept(
            c
                + " has no "
                + CheckpointManifest.FILE
                + " (written by an older qmargin): used unverified");
        damage = Optional.empty();
      }
      if (damage.isEmpty()) {
        return Optional.of(c);
      }
      warn.accept(
          "checkpoint "
              + c.getFileName()
              + " is damaged: "
              + damage.get()
              + (i > 0 ? "; falling back to " + all.get(i - 1).getFileName() : ""));
      if (newestDamage == null) {
        newestDamage = damage.get();
      }
    }
    if (newestDamage != null) {
      throw new UserInputException(
          "no intact checkpoint in " + checkpoints() + " to resume from: " + newestDamage);
    }
    return Optional.empty();
  }

  /** The published checkpoint folders (step-NNNNNNNN), oldest first. */
  private List<Path> checkpointFolders() throws IOException {
    List<Path> all = new ArrayList<>();
    if (!Files.isDirectory(checkpoints())) {
      return all;
    }
    try (Stream<Path> s = Files.list(checkpoints())) {
      s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("step-"))
          .forEach(all::add);
    }
    all.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return all;
  }

  /**
   * The checkpoint {@code latest} names, if it exists (not verified: see {@link
   * #checkpointToResume}).
   */
  public Optional<Path> latestCheckpoint() {
    Path latest = checkpoints().resolve("latest");
    if (!Files.exists(latest)) {
      return Optional.empty();
    }
    try {
      Path dir = checkpoints().resolve(Files.readString(latest).trim());
      return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
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
    CheckpointManifest.write(partial);
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

  /**
   * Writes the final model through {@code writer} into a temporary folder, then renames it to
   * model/.
   */
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

  /** Writes a checkpoint's files into the (hidden, not yet published) folder it is given. */
  @FunctionalInterface
  public interface CheckpointWriter {
    void write(Path dir) throws IOException;
  }

  /**
   * Keeps the {@code keep} newest checkpoints up to {@code newest}. Folders beyond it are left
   * alone: they are damaged ones a resume passed over, overwritten when the run reaches their step
   * again.
   */
  private void prune(int keep, String newest) throws IOException {
    List<Path> upToNewest =
        checkpointFolders().stream()
            .filter(p -> p.getFileName().toString().compareTo(newest) <= 0)
            .toList();
    for (int i = 0; i < upToNewest.size() - keep; i++) {
      deleteTree(upToNewest.get(i));
    }
  }

  /** Appends one JSON line and flushes it to disk. */
  public void append(Path jsonl, Map<String, ?> record) {
    try {
      String line = LINE.writeValueAsString(record);
      Files.writeString(
          jsonl,
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE,
          StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Drops the lines of a JSON-lines log whose {@code step} is beyond {@code lastStep} (and a torn
   * last line): on resume, the log continues from the checkpoint as if never interrupted.
   */
  public void truncateLog(Path jsonl, long lastStep) throws IOException {
    truncateLog(jsonl, lastStep, line -> false);
  }

  /** As {@link #truncateLog(Path, long)}, also dropping the lines {@code alsoDrop} accepts. */
  public void truncateLog(Path jsonl, long lastStep, Predicate<JsonNode> alsoDrop)
      throws IOException {
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
        if ((node.has("step") && node.get("step").asLong() > lastStep) || alsoDrop.test(node)) {
          continue;
        }
      } catch (IOException torn) {
        continue;
      }
      kept.append(line).append('\n');
    }
    AtomicFiles.writeString(jsonl, kept.toString());
  }

  /**
   * A JSON object this program wrote; unreadable, empty or not an object is a clear error naming
   * the file.
   */
  public static JsonNode readJsonObject(Path file) throws IOException {
    JsonNode n;
    try {
      n = Json.mapper().readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UserInputException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (n == null || !n.isObject()) {
      throw new UserInputException(file + ": empty or not a JSON object");
    }
    return n;
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
