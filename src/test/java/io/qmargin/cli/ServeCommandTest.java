package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmargin.serve.ModelFingerprint;
import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.OperatingPointFile;
import io.qmargin.serve.http.TinyFaceModel;
import io.qmargin.serve.store.Scope;
import io.qmargin.serve.store.StoreDatabase;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qmargin serve keys} creates (printing the secret once), lists and revokes keys in the
 * database; {@code qmargin serve} refuses an operating point of another model, or of none.
 */
class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void keysAreCreatedListedAndRevoked() {
    String db = dir.resolve("db").toString();
    CliCapture create = new CliCapture();
    assertThat(create.run("serve", "keys", "create", "gate", "--scope", "verify,enrol", "--db", db))
        .as(create.err.toString())
        .isZero();
    String secret = create.out.toString().trim();
    assertThat(create.err.toString()).contains("created key 'gate' (enrol,verify)");
    try (StoreDatabase d = StoreDatabase.open(StoreDatabase.Settings.of(db))) {
      assertThat(d.keys().authenticate(secret).orElseThrow().scopes())
          .isEqualTo(Set.of(Scope.VERIFY, Scope.ENROL));
    }

    CliCapture list = new CliCapture();
    assertThat(list.run("serve", "keys", "list", "--db", db)).isZero();
    assertThat(list.out.toString()).isEqualTo("gate\tenrol,verify\n").doesNotContain(secret);

    CliCapture again = new CliCapture();
    assertThat(again.run("serve", "keys", "create", "gate", "--scope", "admin", "--db", db))
        .isEqualTo(2);
    assertThat(again.err.toString()).contains("an API key named 'gate' exists already");
    CliCapture bad = new CliCapture();
    assertThat(bad.run("serve", "keys", "create", "x", "--scope", "root", "--db", db)).isEqualTo(2);
    assertThat(bad.err.toString())
        .contains("unknown scope 'root'; the scopes are enrol, verify, admin");

    CliCapture revoke = new CliCapture();
    assertThat(revoke.run("serve", "keys", "revoke", "gate", "--db", db)).isZero();
    try (StoreDatabase d = StoreDatabase.open(StoreDatabase.Settings.of(db))) {
      assertThat(d.keys().authenticate(secret)).isEmpty();
    }
    CliCapture twice = new CliCapture();
    assertThat(twice.run("serve", "keys", "revoke", "gate", "--db", db)).isEqualTo(2);
    assertThat(twice.err.toString()).contains("no API key named 'gate'");
  }

  @Test
  void anOperatingPointOfAnotherModelOrOfNoneIsRefused() throws Exception {
    Path model = TinyFaceModel.run();
    String id = ModelFingerprint.of(model);
    Path other = dir.resolve("other.json");
    OperatingPointFile.write(
        other,
        new OperatingPoint("0123456789abcdef", 1e-3, 0.5, 1e-3, 0.9, 0.8, 0.95, 1000, 100, "e"));
    CliCapture c = new CliCapture();
    assertThat(
            c.run(
                "serve",
                "--model",
                model.toString(),
                "--operating-point",
                other.toString(),
                "--db",
                dir.resolve("db").toString()))
        .isEqualTo(2);
    assertThat(c.err.toString())
        .contains(
            other + " was calibrated on model 0123456789abcdef, but " + model + " is model " + id);

    Path none = dir.resolve("none.json");
    OperatingPointFile.write(
        none, new OperatingPoint(null, 1e-3, 0.5, 1e-3, 0.9, 0.8, 0.95, 1000, 100, "e"));
    CliCapture n = new CliCapture();
    assertThat(
            n.run(
                "serve",
                "--model",
                model.toString(),
                "--operating-point",
                none.toString(),
                "--db",
                dir.resolve("db").toString()))
        .isEqualTo(2);
    assertThat(n.err.toString()).contains("names no model (it was calibrated without --model)");
  }

  @Test
  void thePageShowsThePlotsOfTheEvaluationTheOperatingPointNames() throws Exception {
    Path eval = java.nio.file.Files.createDirectories(dir.resolve("runs/eval"));
    java.nio.file.Files.write(eval.resolve("roc.png"), new byte[] {1});
    Path op = dir.resolve("runs/op.json");
    OperatingPoint relative =
        new OperatingPoint("m", 1e-3, 0.5, 1e-3, 0.9, 0.8, 0.95, 1000, 100, "eval");
    assertThat(ServeCommand.evaluationFolder(relative, op)).isEqualTo(eval);
    OperatingPoint scores =
        new OperatingPoint(
            "m", 1e-3, 0.5, 1e-3, 0.9, 0.8, 0.95, 1000, 100, eval.resolve("s.txt").toString());
    java.nio.file.Files.writeString(eval.resolve("s.txt"), "0.5 1\n");
    assertThat(ServeCommand.evaluationFolder(scores, op)).isEqualTo(eval);
    OperatingPoint elsewhere =
        new OperatingPoint("m", 1e-3, 0.5, 1e-3, 0.9, 0.8, 0.95, 1000, 100, "gone");
    assertThat(ServeCommand.evaluationFolder(elsewhere, op)).isNull();
  }
}
