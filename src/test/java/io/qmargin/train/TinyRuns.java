package io.qmargin.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small, fast training configurations on synthetic identities, and helpers to read a run back. */
final class TinyRuns {
  private TinyRuns() {}

  /** 16 identities x 4 views at 32 x 32, batch 16: 4 steps per epoch; 8 held-out identities. */
  static List<String> settings(String... extra) {
    List<String> s =
        new ArrayList<>(
            List.of(
                "data.identities=16",
                "data.samples_per_identity=4",
                "data.image_size=32",
                "model.embedding_dim=32",
                "batch_size=16",
                "schedule.epochs=2",
                "schedule.warmup_epochs=0.25",
                "optimizer.lr=0.05",
                "validation.identities=8",
                "validation.samples_per_identity=4",
                "validation.every_epochs=1",
                "checkpoint_every_steps=3",
                "log_every_steps=1",
                "loader_threads=1"));
    s.addAll(List.of(extra));
    return s;
  }

  static ObjectNode tree(List<String> settings) {
    return ConfigLoader.resolve((Path) null, settings);
  }

  static TrainingResult train(
      List<String> settings, Path dir, boolean resume, TrainingListener listener)
      throws IOException {
    ObjectNode tree = tree(settings);
    TrainConfig c = ConfigLoader.bind(tree, "test");
    return new TrainingRun(c, tree, dir, TrainingTasks.create(c, Map.of()), listener).run(resume);
  }

  static List<JsonNode> lines(Path jsonl) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(jsonl)) {
      out.add(Json.mapper().readTree(line));
    }
    return out;
  }

  /** The values of one field over a JSON-lines log's step records (events left out). */
  static List<Double> series(Path jsonl, String field) throws IOException {
    List<Double> out = new ArrayList<>();
    for (JsonNode n : lines(jsonl)) {
      if (n.has(field)) {
        out.add(n.get(field).asDouble());
      }
    }
    return out;
  }
}
