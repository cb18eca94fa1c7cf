package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @Test
  void defaultsBindToTheRecord() {
    TrainConfig c = ConfigLoader.load(null, List.of());
    assertThat(c.loss()).isEqualTo("qmargin:alpha=1.25,s=35,m=0.2");
    assertThat(c.optimizer().lr()).isEqualTo(0.1);
    assertThat(c.optimizer().weightDecay()).isEqualTo(5e-4);
    assertThat(c.schedule().decay()).isEqualTo("poly");
    assertThat(c.validation().far()).containsExactly(1e-3, 1e-4);
    assertThat(c.head().type()).isEqualTo("dense");
  }

  @Test
  void fileThenSettingsOverrideTheDefaults(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "loss: arcface\nschedule:\n  epochs: 3\n  milestones: [1, 2]\nmodel:\n  backbone: r50\n");
    TrainConfig c = ConfigLoader.load(f, List.of("schedule.epochs=5", "optimizer.lr=0.02", "validation.far=[1e-5]"));
    assertThat(c.loss()).isEqualTo("arcface");
    assertThat(c.schedule().epochs()).isEqualTo(5);
    assertThat(c.schedule().milestones()).containsExactly(1.0, 2.0);
    assertThat(c.schedule().decay()).isEqualTo("poly"); // untouched key of an overridden section
    assertThat(c.model().backbone()).isEqualTo("r50");
    assertThat(c.optimizer().lr()).isEqualTo(0.02);
    assertThat(c.validation().far()).containsExactly(1e-5);
  }

  @Test
  void misspeltKeysAndBadValuesAreNamed(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "optimiser:\n  lr: 0.1\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of())).isInstanceOf(UserInputException.class)
        .hasMessageContaining("bad.yaml").hasMessageContaining("optimiser");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("optimizer.learning_rate=1")))
        .isInstanceOf(UserInputException.class).hasMessageContaining("optimizer.learning_rate");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("optimizer.lr=fast")))
        .isInstanceOf(UserInputException.class).hasMessageContaining("optimizer.lr");
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("schedule")))
        .isInstanceOf(UserInputException.class).hasMessageContaining("key.path=value");
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), List.of()))
        .isInstanceOf(UserInputException.class).hasMessageContaining("missing.yaml");
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
    for (String[] pair : new String[][] {{"demo.yaml", "demo-face.yaml"}, {"demo-speaker.yaml", "demo-speaker.yaml"}}) {
      String builtIn;
      try (var in = getClass().getResourceAsStream("/io/qmargin/train/" + pair[1])) {
        builtIn = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      assertThat(ConfigLoader.resolve(configs.resolve(pair[0]), List.of()))
          .isEqualTo(ConfigLoader.resolve(builtIn, "built-in", List.of()));
    }
  }
}
