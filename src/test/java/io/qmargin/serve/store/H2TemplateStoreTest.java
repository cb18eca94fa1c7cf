package io.qmargin.serve.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on the embedded H2 file database. */
class H2TemplateStoreTest extends TemplateStoreContract {
  @TempDir Path dir;
  private int databases;

  @Override
  String freshDatabase() {
    return dir.resolve("store" + databases++).toString();
  }

  @Override
  String hexBytes(byte[] b) {
    return "X'" + HexFormat.of().formatHex(b) + "'";
  }

  @Test
  void aPathBecomesAnH2FileDatabaseThatSurvivesAKilledProcess() {
    assertThat(StoreDatabase.jdbcUrl("/data/store"))
        .isEqualTo("jdbc:h2:file:/data/store;WRITE_DELAY=0");
    assertThat(StoreDatabase.jdbcUrl("/data/store.mv.db"))
        .isEqualTo("jdbc:h2:file:/data/store;WRITE_DELAY=0");
    assertThat(StoreDatabase.jdbcUrl("jdbc:h2:file:/x;WRITE_DELAY=100"))
        .isEqualTo("jdbc:h2:file:/x;WRITE_DELAY=100");
    assertThat(StoreDatabase.jdbcUrl("jdbc:h2:mem:x")).isEqualTo("jdbc:h2:mem:x");
    assertThat(StoreDatabase.jdbcUrl("jdbc:postgresql://h/db")).isEqualTo("jdbc:postgresql://h/db");
    assertThat(StoreDatabase.redacted("jdbc:postgresql://h/db?user=u&password=secret&ssl=true"))
        .isEqualTo("jdbc:postgresql://h/db?user=u&password=***&ssl=true");
  }

  @Test
  void theFileIsWhereThePathSays() {
    Path at = dir.resolve("here");
    try (TemplateStore store = TemplateStores.open(at.toString(), "m", 2)) {
      store.addSamples("a", List.of(new float[] {1, 0}), null);
    }
    assertThat(dir.resolve("here.mv.db")).isRegularFile();
  }
}
