package io.qmargin.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.Progress;
import io.qmargin.data.SampleSet;
import io.qmargin.data.UnreadableSampleException;
import io.qmargin.eval.protocol.Vectors;
import io.qmargin.head.TrainableHead;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * A3M prototype re-initialisation ({@code a3m_reinit}, a project choice): W_j ← the normalised mean
 * embedding of class j over one pass of the training data, at the start of each configured epoch,
 * and when p_y = 0 for more than {@code target_out_threshold} of the samples for {@code
 * patience_steps} steps in a row (at most {@code max_times}). Each re-initialisation is an event in
 * metrics.jsonl.
 */
final class A3mReinit implements RunHook {
  private final TrainConfig.A3mReinit config;
  private final SampleSet train;
  private final Embedder embedder;
  private final TrainableHead head;
  private final RunDirectory dir;
  private final TrainingListener listener;
  private final long stepsPerEpoch;

  /**
   * The trigger of a re-initialisation at the start of a configured epoch. It runs after that
   * step's checkpoint, so a run resumed from that checkpoint runs it again: its event line goes
   * with the lines after the checkpoint ({@link #redoneOnResume}).
   */
  private static final String EPOCH_START = "epoch_start";

  private int reinits;
  private int stepsAbove;
  private final Set<Long> reinitEpochs = new TreeSet<>();

  A3mReinit(
      TrainConfig.A3mReinit config,
      SampleSet train,
      Embedder embedder,
      TrainableHead head,
      RunDirectory dir,
      TrainingListener listener,
      long stepsPerEpoch) {
    this.config = config;
    this.train = train;
    this.embedder = embedder;
    this.head = head;
    this.dir = dir;
    this.listener = listener;
    this.stepsPerEpoch = stepsPerEpoch;
  }

  /** Whether a metrics.jsonl line is an event that a resume from {@code checkpointStep} redoes. */
  static boolean redoneOnResume(JsonNode line, long checkpointStep) {
    return "a3m_reinit".equals(line.path("event").asText())
        && EPOCH_START.equals(line.path("trigger").asText())
        && line.path("step").asLong() == checkpointStep;
  }

  @Override
  public void epochStart(long epoch) {
    for (double at : config.atEpochs()) {
      if (Math.round(at) == epoch && epoch > 0 && reinitEpochs.add(epoch)) {
        reinitialise(epoch, "configured at epoch " + epoch, epoch * stepsPerEpoch, EPOCH_START);
      }
    }
  }

  @Override
  public void stepEnd(StepEnd end) {
    if (config.targetOutThreshold() <= 0 || reinits >= config.maxTimes()) {
      return;
    }
    stepsAbove =
        end.outcome().fractionTargetOut() > config.targetOutThreshold() ? stepsAbove + 1 : 0;
    if (stepsAbove >= Math.max(1, config.patienceSteps())) {
      reinitialise(
          end.epoch(),
          "p_y = 0 for more than "
              + config.targetOutThreshold()
              + " of the samples over "
              + config.patienceSteps()
              + " steps",
          end.done(),
          "target_out");
    }
  }

  private void reinitialise(long epoch, String reason, long step, String trigger) {
    long t0 = System.nanoTime();
    int n = train.size();
    float[] e;
    boolean[] readable = new boolean[n];
    int sampleSize = 1;
    for (long s : train.sampleShape()) {
      sampleSize *= (int) s;
    }
    int size = sampleSize;
    try (Progress p = listener.progress().start("A3M re-init: embedding the training set", n)) {
      e =
          embedder.embed(
              n,
              i -> {
                try {
                  float[] x = train.load(i, epoch);
                  readable[i] = true;
                  return x;
                } catch (UnreadableSampleException bad) {
                  return new float[size];
                }
              },
              false,
              p);
    }
    int dim = e.length / n;
    int classes = train.numClasses();
    float[] sums = new float[Math.multiplyExact(classes, dim)];
    int[] counts = new int[classes];
    for (int i = 0; i < n; i++) {
      if (!readable[i]) {
        continue;
      }
      int c = train.label(i);
      counts[c]++;
      for (int k = 0; k < dim; k++) {
        sums[c * dim + k] += e[i * dim + k];
      }
    }
    int chunk = 65536;
    int reset = 0;
    for (int start = 0; start < classes; start += chunk) {
      int end = Math.min(classes, start + chunk);
      int[] rows = IntStream.range(start, end).filter(c -> counts[c] > 0).toArray();
      float[] values = new float[rows.length * dim];
      for (int r = 0; r < rows.length; r++) {
        System.arraycopy(sums, rows[r] * dim, values, r * dim, dim);
        Vectors.normalizeRow(values, r, dim);
      }
      head.resetRows(rows, values);
      reset += rows.length;
    }
    reinits++;
    stepsAbove = 0;
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("step", step);
    event.put("event", "a3m_reinit");
    event.put("trigger", trigger);
    event.put("reason", reason);
    event.put("classes_reset", reset);
    event.put("seconds", seconds);
    dir.append(dir.metrics(), event);
    listener.message(
        String.format(
            Locale.ROOT,
            "A3M: re-initialised %,d prototypes to class-mean embeddings (%s), %.1f s",
            reset,
            reason,
            seconds));
  }

  @Override
  public String stateName() {
    return "a3m";
  }

  /**
   * The key names are those of the flat state.json of earlier versions, which resume still reads.
   */
  @Override
  public Map<String, Object> saveState() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("a3m_reinits", reinits);
    s.put("a3m_steps_above", stepsAbove);
    s.put("a3m_reinit_epochs", new ArrayList<>(reinitEpochs));
    return s;
  }

  @Override
  public void restoreState(JsonNode s, Path file) {
    reinits = RunHook.require(s, "a3m_reinits", file).asInt();
    stepsAbove = RunHook.require(s, "a3m_steps_above", file).asInt();
    for (JsonNode e : RunHook.require(s, "a3m_reinit_epochs", file)) {
      reinitEpochs.add(e.asLong());
    }
  }
}
