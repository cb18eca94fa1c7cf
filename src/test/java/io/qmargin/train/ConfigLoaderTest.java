package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import io.qmargin.head.HeadType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @Test
  void defaultsBindToTheRecord() {
    TrainConfig c = ConfigLoader.load(null, List.of());
    assertThat(c.loss()).isEqualTo("qmargin:alpha=1.25,s=35,m=0.2");
    assertThat(c.optimizer().lr()).isEqualTo(0.1);
    assertThat(c.optimizer().weightDecay()).isEqualTo(5e-4);
    assertThat(c.schedule().decay()).isEqualTo(LearningRateSchedule.Decay.POLY);
    assertThat(c.validation().far()).containsExactly(1e-3, 1e-4);
    assertThat(c.head().type()).isEqualTo(HeadType.DENSE);
  }

  @Test
  void fileThenSettingsOverrideTheDefaults(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(
        f,
        "loss: arcface\nschedule:\n  epochs: 3\n  milestones: [1, 2]\nmodel:\n  backbone: r50\n");
    TrainConfig c =
        ConfigLoader.load(
            f, List.of("schedule.epochs=5", "optimizer.lr=0.02", "validation.far=[1e-5]"));
    assertThat(c.loss()).isEqualTo("arcface");
    assertThat(c.schedule().epochs()).isEqualTo(5);
    assertThat(c.schedule().milestones()).containsExactly(1.0, 2.0);
    assertThat(c.schedule().decay())
        .isEqualTo(LearningRateSchedule.Decay.POLY); // untouched key of an overridden section
    assertThat(c.model().backbone()).isEqualTo("r50");
    assertThat(c.optimizer().lr()).isEqualTo(0.02);
    assertThat(c.validation().far()).containsExactly(1e-5);
  }

  @Test
  void misspeltKeysAndBadValuesAreNamed(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "optimiser:\n  lr: 0.1\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("bad.yaml")
        .hasMessageContaining("optimiser");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("optimizer.learning_rate=1")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("optimizer.learning_rate");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("optimizer.lr=fast")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("optimizer.lr");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("schedule")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("key.path=value");
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), List.of()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("missing.yaml");
  }

  @Test
  void resolvedConfigRoundTripsThroughYaml() {
    var tree = ConfigLoader.resolve((Path) null, List.of("batch_size=7", "data.type=folder"));
    var back = ConfigLoader.resolve(ConfigLoader.toYaml(tree), "round trip", List.of());
    assertThat(back).isEqualTo(tree);
    assertThat(ConfigLoader.bind(back, "x").batchSize()).isEqualTo(7);
  }

  @Test
  void shippedConfigsAreValidAndTheDemoConfigIsTheDemoRecipe() throws Exception {
    Path configs = Path.of("configs");
    try (var files = Files.list(configs)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        ConfigLoader.load(f, List.of());
      }
    }
    for (String[] pair :
        new String[][] {
          {"demo.yaml", "demo-face.yaml"}, {"demo-speaker.yaml", "demo-speaker.yaml"}
        }) {
      String builtIn;
      try (var in = getClass().getResourceAsStream("/io/qmargin/train/" + pair[1])) {
        builtIn = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      assertThat(ConfigLoader.resolve(configs.resolve(pair[0]), List.of()))
          .isEqualTo(ConfigLoader.resolve(builtIn, "built-in", List.of()));
    }
  }

  @Test
  void nonIntegralValuesOfIntegerKeysAreRefusedNamingKeyAndValue(@TempDir Path dir)
      throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "batch_size: 12.5\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of()))
        .isInstanceOf(UserInputException.class)
        .hasMessage(f + ": batch_size must be an integer, got 12.5");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("data.identities=3.7")))
        .hasMessage("--set data.identities=3.7: data.identities must be an integer, got 3.7");
    assertThat(ConfigLoader.load(null, List.of("batch_size=12")).batchSize()).isEqualTo(12);
  }

  @Test
  void valuesOutsideTheirRangeAreRefusedNamingKeyRangeAndValue(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "batch_size: 0\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of()))
        .isInstanceOf(UserInputException.class)
        .hasMessage(f + ": batch_size must be >= 1, got 0");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("schedule.epochs=0")))
        .hasMessage("--set schedule.epochs=0: schedule.epochs must be > 0, got 0");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("data.flip=1.5")))
        .hasMessage("--set data.flip=1.5: data.flip must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("validation.far=[1e-3, 2]")))
        .hasMessage(
            "--set validation.far=[1e-3, 2]: validation.far must be in (0, 1), got 2 at [1]");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("optimizer.lr=-0.1")))
        .hasMessageContaining("optimizer.lr must be > 0, got -0.1");
    // the ends of a closed range are allowed, and a fractional number of epochs is a number of
    // epochs
    TrainConfig edge =
        ConfigLoader.load(
            null, List.of("data.flip=1", "speech.held_out_fraction=0", "schedule.epochs=0.5"));
    assertThat(edge.data().flip()).isEqualTo(1.0);
    assertThat(edge.schedule().epochs()).isEqualTo(0.5);
  }

  @Test
  void everyNumericKeyDeclaresItsRange() {
    // the keys whose every value is meaningful: any seed, any signal-to-noise ratio in dB
    Set<String> free = Set.of("seed", "snr_low", "snr_high");
    List<String> missing = new ArrayList<>();
    numericKeys(TrainConfig.class, "", missing, free);
    assertThat(missing).as("numeric keys without @Range").isEmpty();
  }

  private static void numericKeys(
      Class<?> record, String prefix, List<String> missing, Set<String> free) {
    for (RecordComponent c : record.getRecordComponents()) {
      String key =
          prefix + c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
      Class<?> t = c.getType();
      boolean numeric =
          t == int.class
              || t == long.class
              || t == double.class
              || Number.class.isAssignableFrom(t)
              || t == List.class
                  && ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[0]
                      == Double.class;
      if (t.isRecord()) {
        numericKeys(t, key + ".", missing, free);
      } else if (numeric
          && c.getAnnotation(ConfigChecks.Range.class) == null
          && !free.contains(c.getName())
          && !free.contains(key.substring(key.lastIndexOf('.') + 1))) {
        missing.add(key);
      }
    }
  }

  @Test
  void keysGivenTwiceAreRefusedNamingKeyAndLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("twice.yaml");
    Files.writeString(f, "seed: 1\nbatch_size: 8\nbatch_size: 16\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("line 3")
        .hasMessageContaining("'batch_size' given twice");
    Files.writeString(f, "schedule:\n  epochs: 2\n  decay: step\n  epochs: 3\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("line 4")
        .hasMessageContaining("'epochs' given twice");
  }

  @Test
  void choicesListedInTheDefaultsAreExactlyTheAcceptedOnes() throws Exception {
    // "key: value   # a | b | c ..." (or "# sparse: a | b ...") in defaults.yaml, by dotted key
    Map<String, List<String>> listed = new HashMap<>();
    Pattern line =
        Pattern.compile("^( *)([a-z_]+):[^#]*#\\s*(?:[a-z]+: )?([a-z0-9_]+(?: \\| [a-z0-9_]+)+)");
    List<String> sections = new ArrayList<>();
    try (var in = ConfigLoader.class.getResourceAsStream("defaults.yaml")) {
      for (String text :
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
        Matcher m = Pattern.compile("^( *)([a-z_0-9]+):").matcher(text);
        if (!m.find()) {
          continue;
        }
        int depth = m.group(1).length() / 2;
        sections.subList(Math.min(depth, sections.size()), sections.size()).clear();
        String key = String.join(".", sections) + (depth > 0 ? "." : "") + m.group(2);
        sections.add(m.group(2));
        Matcher c = line.matcher(text);
        if (c.find()) {
          listed.put(key, Arrays.asList(c.group(3).split(" \\| ")));
        }
      }
    }
    Map<String, List<String>> accepted = new HashMap<>();
    oneOfKeys(TrainConfig.class, "", accepted);
    assertThat(accepted)
        .containsKeys(
            "task",
            "head.type",
            "schedule.decay",
            "validation.type",
            "data.type",
            "speech.held_out");
    // data.type lists each task's types: "faces: a | b; speakers: c | d"
    List<String> dataTypes = accepted.remove("data.type");
    assertThat(listed).containsAllEntriesOf(accepted);
    Matcher both =
        Pattern.compile("faces: ([a-z| ]+); speakers: ([a-z| ]+)").matcher(dataTypeLine());
    assertThat(both.find()).isTrue();
    assertThat(both.group(1).trim() + " | " + both.group(2).trim())
        .isEqualTo(String.join(" | ", dataTypes));
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("validation.type=pairs")))
        .hasMessage(
            "--set validation.type=pairs: validation.type must be one of auto, none, synthetic, lfw, bin; got 'pairs'");
  }

  private static String dataTypeLine() throws java.io.IOException {
    try (var in = ConfigLoader.class.getResourceAsStream("defaults.yaml")) {
      String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return text.lines().filter(l -> l.startsWith("  type: synthetic")).findFirst().orElseThrow();
    }
  }

  /**
   * The words each choice key accepts: its enum's constants in lower case, or its {@code @OneOf}
   * list.
   */
  private static void oneOfKeys(Class<?> record, String prefix, Map<String, List<String>> out) {
    for (RecordComponent c : record.getRecordComponents()) {
      String key =
          prefix + c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
      if (c.getType().isRecord()) {
        oneOfKeys(c.getType(), key + ".", out);
      } else if (c.getType().isEnum()) {
        out.put(
            key,
            Arrays.stream(c.getType().getEnumConstants())
                .map(e -> ((Enum<?>) e).name().toLowerCase(java.util.Locale.ROOT))
                .toList());
      } else if (c.getAnnotation(ConfigChecks.OneOf.class) != null) {
        out.put(key, List.of(c.getAnnotation(ConfigChecks.OneOf.class).value()));
      }
    }
  }

  @Test
  void aMisspeltKindIsRefusedWhenTheConfigIsReadListingTheKinds(@TempDir Path dir)
      throws Exception {
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("task=faces")))
        .isInstanceOf(UserInputException.class)
        .hasMessage("--set task=faces: task must be one of face, speaker; got 'faces'");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("head.type=partial-fc")))
        .hasMessage(
            "--set head.type=partial-fc: head.type must be one of dense, sparse, partial_fc; got 'partial-fc'");
    // data.type was a free word until the task opened the data; now it is one of the data types of
    // either task
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("data.type=lfww")))
        .hasMessage(
            "--set data.type=lfww: "
                + "data.type must be one of synthetic, folder, recordio, lfw, found, fsdd, kaldi, voxceleb, folders; got 'lfww'");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("speech.held_out=speaker")))
        .hasMessage(
            "--set speech.held_out=speaker: speech.held_out must be one of utterances, speakers; got 'speaker'");
    // a kind is named by its word, never by its position among the kinds
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("head.type=1")))
        .hasMessage(
            "--set head.type=1: head.type must be one of dense, sparse, partial_fc; got '1'");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("head.type=")))
        .hasMessage(
            "--set head.type=: head.type must be one of dense, sparse, partial_fc; got null");
    Path f = dir.resolve("c.yaml");
    Files.writeString(
        f, "data:\n  type: folder\n  path: /no/such/folder\nschedule:\n  decay: cosine\n");
    assertThatThrownBy(
            () -> ConfigLoader.load(f, List.of())) // refused before the missing folder is looked at
        .hasMessage(
            f + ": schedule.decay must be one of poly, step, exponential, constant; got 'cosine'");
    // any case, as before the kinds were enums
    TrainConfig c =
        ConfigLoader.load(
            null, List.of("head.type=Partial_FC", "schedule.decay=STEP", "validation.type=None"));
    assertThat(c.head().type()).isEqualTo(HeadType.PARTIAL_FC);
    assertThat(c.schedule().decay()).isEqualTo(LearningRateSchedule.Decay.STEP);
    assertThat(c.validation().type()).isEqualTo(TrainConfig.ValidationType.NONE);
  }

  @Test
  void errorsOfASetValueNameTheSetAndErrorsOfTheFileNameTheFile(@TempDir Path dir)
      throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "optimizer:\n  lr: 0.05\nbatch_size: 32\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of("optimizer.lr=fast")))
        .hasMessage("--set optimizer.lr=fast: optimizer.lr must be a number, got 'fast'");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of("batch_size=-4")))
        .hasMessage("--set batch_size=-4: batch_size must be >= 1, got -4");
    Files.writeString(f, "optimizer:\n  lr: 0\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of("batch_size=32")))
        .hasMessage(f + ": optimizer.lr must be > 0, got 0");
    // a --set may mend a file's value
    assertThat(ConfigLoader.load(f, List.of("optimizer.lr=0.2")).optimizer().lr()).isEqualTo(0.2);
  }

  @Test
  void theLossDefaultsToTheTasksOwnAndAnExplicitLossIsKept(@TempDir Path dir) throws Exception {
    assertThat(ConfigLoader.load(null, List.of("task=speaker")).loss())
        .isEqualTo("qmargin:alpha=1.5,s=10,m=0.2");
    assertThat(ConfigLoader.load(null, List.of("task=face")).loss())
        .isEqualTo("qmargin:alpha=1.25,s=35,m=0.2");
    assertThat(ConfigLoader.load(null, List.of("task=speaker", "loss=arcface:s=32,m=0.2")).loss())
        .isEqualTo("arcface:s=32,m=0.2");
    // the resolved tree (RUN/config.yaml) says which loss was used
    assertThat(ConfigLoader.resolve((Path) null, List.of("task=speaker")).get("loss").asText())
        .isEqualTo("qmargin:alpha=1.5,s=10,m=0.2");
    assertThat(ConfigLoader.load(Path.of("configs/demo-speaker.yaml"), List.of()).loss())
        .isEqualTo("qmargin:alpha=1.5,s=10,m=0.2");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("loss=qmargin:s=-1")))
        .hasMessageStartingWith("--set loss=qmargin:s=-1: loss: ");
    var tree = ConfigLoader.resolve((Path) null, List.of());
    tree.putNull("loss");
    assertThatThrownBy(() -> ConfigLoader.bind(tree, "run/config.yaml"))
        .hasMessageStartingWith("run/config.yaml: loss is not set");
  }

  @Test
  void aWarmUpOfAtLeastTheWholeRunIsRefusedBeforeAnyData() {
    assertThatThrownBy(
            () -> ConfigLoader.load(null, List.of("schedule.epochs=1", "schedule.warmup_epochs=2")))
        .hasMessage(
            "--set schedule.warmup_epochs=2: schedule.warmup_epochs (2) must be shorter than schedule.epochs (1), "
                + "or the learning rate never leaves its warm-up");
    assertThat(
            ConfigLoader.load(null, List.of("schedule.epochs=1", "schedule.warmup_epochs=0.5"))
                .schedule()
                .warmupEpochs())
        .isEqualTo(0.5);
  }
}
