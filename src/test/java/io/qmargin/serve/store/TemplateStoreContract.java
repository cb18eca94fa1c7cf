package io.qmargin.serve.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.UserInputException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * What every database behind a {@link TemplateStore} must do; a subclass supplies fresh, empty
 * databases of one kind (H2, PostgreSQL).
 */
abstract class TemplateStoreContract {

  /** The JDBC URL (or H2 path) of a new, empty database. */
  abstract String freshDatabase() throws Exception;

  /** A connection to the database for looking at its tables directly. */
  Connection connect(String url) throws Exception {
    return DriverManager.getConnection(StoreDatabase.jdbcUrl(url));
  }

  static float[] v(float... x) {
    return x;
  }

  @Test
  void templateIsTheNormalisedMeanOfNormalisedSamplesAndSearchRanksByCosine() throws Exception {
    String url = freshDatabase();
    try (TemplateStore store = TemplateStores.open(url, "model-a", 4)) {
      // (2,0,0,0) and (0,3,0,0) normalise to e1 and e2; their mean normalised is (1,1,0,0)/sqrt 2
      Subject alice = store.addSamples("alice", List.of(v(2, 0, 0, 0), v(0, 3, 0, 0)), "k1");
      float r = (float) (1 / Math.sqrt(2));
      assertThat(alice.template()).containsExactly(new float[] {r, r, 0, 0}, within(1e-7f));
      assertThat(alice.sampleIds()).hasSize(2);
      store.addSamples("bob", List.of(v(0, 0, 5, 0)), "k1");
      store.addSamples("carol", List.of(v(1, 0, 1, 0)), "k1");

      // probe (1,0,0,0): alice cos = 1/sqrt2, carol 1/sqrt2 (tie, ids order), bob 0
      List<Match> top = store.topK(v(7, 0, 0, 0), 3);
      assertThat(top).extracting(Match::subjectId).containsExactly("alice", "carol", "bob");
      assertThat(top.get(0).score()).isCloseTo(1 / Math.sqrt(2), within(1e-6));
      assertThat(top.get(2).score()).isCloseTo(0, within(1e-7));
      assertThat(store.topK(v(0, 0, 1, 0), 1)).extracting(Match::subjectId).containsExactly("bob");
      assertThat(store.score("bob", v(0, 0, 1, 1)).getAsDouble())
          .isCloseTo(1 / Math.sqrt(2), within(1e-6));
      assertThat(store.score("nobody", v(0, 0, 1, 1))).isEmpty();

      // adding a sample changes the template: e1, e2 and e3 -> (1,1,1,0)/sqrt 3
      Subject more = store.addSamples("alice", List.of(v(0, 0, 0.5f, 0)), "k1");
      float t = (float) (1 / Math.sqrt(3));
      assertThat(more.template()).containsExactly(new float[] {t, t, t, 0}, within(1e-7f));
      assertThat(more.sampleIds()).hasSize(3).containsAll(alice.sampleIds());
      assertThat(more.created()).isEqualTo(alice.created());
      assertThat(store.score("alice", v(0, 0, 1, 0)).getAsDouble()).isCloseTo(t, within(1e-6));
      assertThat(store.find("alice").orElseThrow().template())
          .containsExactly(more.template(), within(0f));
      assertThat(store.count()).isEqualTo(3);
    }
  }

  @Test
  void reopenedStoreHasEverySubjectAndSearchesAlike() throws Exception {
    String url = freshDatabase();
    Random rnd = new Random(5);
    List<List<Match>> before = new ArrayList<>();
    List<float[]> probes = new ArrayList<>();
    try (TemplateStore store = TemplateStores.open(url, "model-a", 16)) {
      for (int s = 0; s < 30; s++) {
        store.addSamples("s" + s, List.of(random(rnd, 16), random(rnd, 16)), null);
      }
      store.deleteSubject("s7", "admin");
      for (int q = 0; q < 5; q++) {
        probes.add(random(rnd, 16));
        before.add(store.topK(probes.get(q), 5));
      }
    }
    try (TemplateStore store = TemplateStores.open(url, "model-a", 16)) {
      assertThat(store.count()).isEqualTo(29);
      assertThat(store.find("s7")).isEmpty();
      assertThat(store.find("s3").orElseThrow().sampleIds()).hasSize(2);
      for (int q = 0; q < 5; q++) {
        assertThat(store.topK(probes.get(q), 5)).isEqualTo(before.get(q));
      }
    }
  }

  @Test
  void anotherModelsStoreIsRefusedNamingBothModels() throws Exception {
    String url = freshDatabase();
    try (TemplateStore store = TemplateStores.open(url, "model-a", 4)) {
      store.addSamples("x", List.of(v(1, 0, 0, 0)), null);
    }
    assertThatThrownBy(() -> TemplateStores.open(url, "model-b", 4))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("model model-a (4-dimensional embeddings)")
        .hasMessageContaining("not of model model-b (4-dimensional)");
    assertThatThrownBy(() -> TemplateStores.open(url, "model-a", 8))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("not of model model-a (8-dimensional)");
    try (StoreDatabase db = StoreDatabase.open(StoreDatabase.Settings.of(url))) {
      assertThat(db.storedModel()).contains(new StoreDatabase.StoredModel("model-a", 4));
    }
  }

  @Test
  void aFailedWriteLeavesNoTraceInTheDatabaseOrTheSearch() throws Exception {
    String url = freshDatabase();
    String tooLongActor = "a".repeat(300); // the audit insert, the transaction's last step, fails
    try (TemplateStore store = TemplateStores.open(url, "model-a", 4)) {
      store.addSamples("kept", List.of(v(1, 0, 0, 0)), null);
      assertThatThrownBy(
              () -> store.addSamples("new", List.of(v(0, 1, 0, 0), v(0, 0, 1, 0)), tooLongActor))
          .isInstanceOf(StoreException.class);
      assertThatThrownBy(() -> store.addSamples("kept", List.of(v(0, 1, 0, 0)), tooLongActor))
          .isInstanceOf(StoreException.class);
      // an invalid sample in a batch: refused before anything is written
      assertThatThrownBy(() -> store.addSamples("kept", List.of(v(0, 1, 0, 0), v(1, 2)), null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sample 2: embedding has 2 components, the model's have 4");
      assertThat(store.find("new")).isEmpty();
      assertThat(store.count()).isEqualTo(1);
      assertThat(store.find("kept").orElseThrow().sampleIds()).hasSize(1);
      assertThat(store.topK(v(0, 1, 0, 0), 5)).extracting(Match::subjectId).containsExactly("kept");
      assertThat(store.score("kept", v(1, 0, 0, 0)).getAsDouble()).isCloseTo(1, within(1e-6));
    }
    try (Connection c = connect(url);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COUNT(*) FROM samples")) {
      r.next();
      assertThat(r.getLong(1)).isEqualTo(1);
    }
  }

  @Test
  void aBulkEnrolmentIsAllOrNothing() throws Exception {
    String url = freshDatabase();
    try (TemplateStore store = TemplateStores.open(url, "model-a", 2)) {
      store.addSamples("b", List.of(v(0, 1)), null);
      Map<String, List<float[]>> batch = new LinkedHashMap<>();
      batch.put("a", List.of(v(1, 0), v(1, 1)));
      batch.put("b", List.of(v(1, 0)));
      assertThatThrownBy(() -> store.addSubjects(batch, "importer"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("subject 'b' is enrolled already");
      batch.remove("b");
      batch.put("c", List.of(v(0, 0)));
      assertThatThrownBy(() -> store.addSubjects(batch, "importer"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("subject 'c': sample 1: embedding is all zeros");
      // a database failure (an actor too long for its column) rolls every subject back
      batch.put("c", List.of(v(-1, 0)));
      assertThatThrownBy(() -> store.addSubjects(batch, "x".repeat(300)))
          .isInstanceOf(StoreException.class);
      assertThat(store.list(null, 10)).containsExactly("b");
      store.addSubjects(batch, "importer");
      assertThat(store.list(null, 10)).containsExactly("a", "b", "c");
      assertThat(store.find("a").orElseThrow().sampleIds()).hasSize(2);
      assertThat(store.topK(v(-1, 0), 1)).containsExactly(new Match("c", 1.0));
      assertThat(store.recentAudit(5))
          .extracting(AuditEvent::action)
          .containsExactly("enrol", "enrol", "enrol");
    }
    try (TemplateStore store = TemplateStores.open(url, "model-a", 2)) {
      float r = (float) (1 / Math.sqrt(2));
      // a = pool of (1,0) and (1,1)/sqrt2: (1 + r, r) normalised
      double n = Math.hypot(1 + r, r);
      assertThat(store.score("a", v(1, 0)).getAsDouble()).isCloseTo((1 + r) / n, within(1e-6));
      assertThat(store.count()).isEqualTo(3);
    }
  }

  @Test
  void removingSamplesRepoolsAndTheLastOneDeletesTheSubject() throws Exception {
    String url = freshDatabase();
    try (TemplateStore store = TemplateStores.open(url, "model-a", 4)) {
      Subject s = store.addSamples("s", List.of(v(1, 0, 0, 0), v(0, 1, 0, 0)), null);
      long first = s.sampleIds().get(0);
      long second = s.sampleIds().get(1);
      Subject after = store.removeSample("s", first, "admin").orElseThrow();
      assertThat(after.sampleIds()).containsExactly(second);
      assertThat(after.template()).containsExactly(new float[] {0, 1, 0, 0}, within(1e-7f));
      assertThat(store.score("s", v(0, 1, 0, 0)).getAsDouble()).isCloseTo(1, within(1e-6));
      assertThatThrownBy(() -> store.removeSample("s", first, "admin"))
          .isInstanceOf(UnknownSubjectException.class)
          .hasMessage("subject 's' has no sample " + first);
      assertThatThrownBy(() -> store.removeSample("t", second, "admin"))
          .isInstanceOf(UnknownSubjectException.class)
          .hasMessage("no subject 't'");
      assertThat(store.removeSample("s", second, "admin")).isEmpty();
      assertThat(store.find("s")).isEmpty();
      assertThat(store.count()).isZero();
      assertThat(store.topK(v(0, 1, 0, 0), 3)).isEmpty();
      assertThat(store.deleteSubject("s", "admin")).isFalse();
    }
  }

  @Test
  void subjectsAreListedInIdOrderPageByPage() throws Exception {
    String url = freshDatabase();
    try (TemplateStore store = TemplateStores.open(url, "model-a", 2)) {
      for (String id : List.of("d", "B", "a", "c", "b")) {
        store.addSamples(id, List.of(v(1, 1)), null);
      }
      assertThat(store.list(null, 3)).containsExactly("B", "a", "b");
      assertThat(store.list("b", 3)).containsExactly("c", "d");
      assertThat(store.list("d", 3)).isEmpty();
      assertThat(store.count()).isEqualTo(5);
      // equal templates: equal scores, ordered by id
      assertThat(store.topK(v(1, 0), 5))
          .extracting(Match::subjectId)
          .containsExactly("B", "a", "b", "c", "d");
    }
  }

  @Test
  void apiKeysAreStoredHashedAndCheckedBySecret() throws Exception {
    String url = freshDatabase();
    try (TemplateStore store = TemplateStores.open(url, "model-a", 2)) {
      ApiKeyStore keys = store.keys();
      String secret = keys.create("gate-1", EnumSet.of(Scope.VERIFY));
      String admin = keys.create("ops", EnumSet.of(Scope.ADMIN, Scope.ENROL));
      assertThat(secret).startsWith("qm_").isNotEqualTo(admin);
      assertThat(keys.authenticate(secret))
          .contains(new ApiKeyStore.ApiKey("gate-1", Set.of(Scope.VERIFY)));
      assertThat(keys.authenticate(admin).orElseThrow().scopes())
          .containsExactlyInAnyOrder(Scope.ADMIN, Scope.ENROL);
      // a wrong secret under a valid key id, a malformed one, none
      String wrong = secret.substring(0, secret.length() - 1) + (secret.endsWith("A") ? "B" : "A");
      assertThat(keys.authenticate(wrong)).isEmpty();
      assertThat(keys.authenticate("qm_nokey")).isEmpty();
      assertThat(keys.authenticate("")).isEmpty();
      assertThat(keys.authenticate(null)).isEmpty();
      assertThatThrownBy(() -> keys.create("ops", EnumSet.of(Scope.VERIFY)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("a key named 'ops' exists already");
      assertThat(keys.list()).extracting(ApiKeyStore.ApiKey::name).containsExactly("gate-1", "ops");
      // the secret is in no column of the table
      String secretPart = secret.substring(secret.indexOf('.') + 1);
      try (Connection c = connect(url);
          Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT * FROM api_keys")) {
        while (r.next()) {
          for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
            int type = r.getMetaData().getColumnType(i);
            boolean binary =
                type == Types.BINARY || type == Types.VARBINARY || type == Types.LONGVARBINARY;
            String text =
                binary ? new String(r.getBytes(i), StandardCharsets.ISO_8859_1) : r.getString(i);
            assertThat(text).doesNotContain(secretPart);
          }
        }
      }
      assertThat(keys.revoke("gate-1")).isTrue();
      assertThat(keys.revoke("gate-1")).isFalse();
      assertThat(keys.authenticate(secret)).isEmpty();
      assertThat(keys.authenticate(admin)).isPresent();
    }
  }

  @Test
  void auditLogRecordsWritesAndDecisionsNewestFirst() throws Exception {
    String url = freshDatabase();
    try (TemplateStore store = TemplateStores.open(url, "model-a", 2)) {
      Subject s = store.addSamples("s", List.of(v(1, 0), v(0, 1)), "enroller");
      store.addSamples("s", List.of(v(1, 1)), "enroller");
      store.removeSample("s", s.sampleIds().get(0), "admin");
      Instant t = Instant.parse("2026-01-02T03:04:05.123456Z");
      store.audit(new AuditEvent(t, "gate-1", "verify", "s", 0.625, true));
      store.deleteSubject("s", "admin");
      List<AuditEvent> log = store.recentAudit(10);
      assertThat(log)
          .extracting(AuditEvent::action)
          .containsExactly("delete", "verify", "remove_sample", "add_samples", "enrol");
      assertThat(log.get(1)).isEqualTo(new AuditEvent(t, "gate-1", "verify", "s", 0.625, true));
      assertThat(log.get(4).actor()).isEqualTo("enroller");
      assertThat(log.get(4).score()).isNull();
      assertThat(log.get(4).accepted()).isNull();
      assertThat(store.recentAudit(2)).hasSize(2);
    }
  }

  @Test
  void concurrentWritesLeaveTheSearchEqualToTheDatabase() throws Exception {
    String url = freshDatabase();
    Random rnd = new Random(11);
    List<float[]> vectors = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      vectors.add(random(rnd, 8));
    }
    float[] probe = random(rnd, 8);
    List<Match> live;
    try (TemplateStore store = TemplateStores.open(url, "model-a", 8)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          int n = i;
          // 10 subjects, each written by several threads at once
          done.add(
              pool.submit(
                  () -> {
                    String id = "s" + (n % 10);
                    if (n % 7 == 6) {
                      store.deleteSubject(id, null);
                    } else {
                      store.addSamples(id, List.of(vectors.get(n)), null);
                    }
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      live = store.topK(probe, 10);
      for (Match m : live) {
        Subject s = store.find(m.subjectId()).orElseThrow();
        assertThat(m.score()).isCloseTo(cos(s.template(), probe), within(1e-5));
      }
    }
    try (TemplateStore reopened = TemplateStores.open(url, "model-a", 8)) {
      assertThat(reopened.topK(probe, 10)).isEqualTo(live);
    }
  }

  @Test
  void ofSimultaneousCreateOnlyEnrolmentsOfOneIdExactlyOneIsStored() throws Exception {
    String url = freshDatabase();
    int threads = 8;
    try (TemplateStore store = TemplateStores.open(url, "model-a", 2)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Subject>> done = new ArrayList<>();
      try {
        for (int i = 0; i < threads; i++) {
          // thread i enrols i+1 samples, all (1, i): its template is (1, i) normalised
          List<float[]> samples = new ArrayList<>();
          for (int j = 0; j <= i; j++) {
            samples.add(v(1, i));
          }
          done.add(
              pool.submit(
                  () -> {
                    go.await();
                    return store.enrolNew("dora", samples, "k" + samples.size());
                  }));
        }
        go.countDown();
        Subject winner = null;
        int refused = 0;
        for (Future<Subject> f : done) {
          try {
            Subject s = f.get();
            assertThat(winner).as("a second enrolment succeeded").isNull();
            winner = s;
          } catch (ExecutionException e) {
            assertThat(e.getCause())
                .isInstanceOf(SubjectExistsException.class)
                .hasMessage("subject 'dora' is enrolled already");
            refused++;
          }
        }
        assertThat(winner).isNotNull();
        assertThat(refused).isEqualTo(threads - 1);
        int i = winner.sampleIds().size() - 1;
        Subject stored = store.find("dora").orElseThrow();
        assertThat(stored.sampleIds()).isEqualTo(winner.sampleIds());
        assertThat(stored.template())
            .containsExactly(TemplateVectors.normalized(v(1, i), 2), within(1e-6f));
        assertThat(store.count()).isEqualTo(1);
        assertThat(store.recentAudit(10)).extracting(AuditEvent::action).containsExactly("enrol");
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void aCreateOnlyEnrolmentIsRefusedByTheDatabaseNotTheCache() throws Exception {
    String url = freshDatabase();
    try (TemplateStore store = TemplateStores.open(url, "model-a", 2)) {
      // another writer's row, which this store's in-memory matrix has not seen
      try (Connection c = connect(url);
          PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO subjects (id, template, created, updated)"
                      + " VALUES ('eve', ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
        s.setBytes(1, TemplateVectors.toBytes(v(1, 0)));
        s.executeUpdate();
      }
      assertThat(store.count()).isZero();
      assertThatThrownBy(() -> store.enrolNew("eve", List.of(v(1, 0)), "k1"))
          .isInstanceOf(SubjectExistsException.class)
          .hasMessage("subject 'eve' is enrolled already");
      assertThat(store.count()).isZero();
      assertThat(store.enrolNew("fay", List.of(v(0, 3)), "k1").template())
          .containsExactly(new float[] {0, 1}, within(0f));
    }
    try (Connection c = connect(url);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COUNT(*) FROM samples")) {
      r.next();
      assertThat(r.getLong(1)).isEqualTo(1);
    }
  }

  @Test
  void anOldSchemaIsMigratedAndItsSubjectsServed() throws Exception {
    String url = freshDatabase();
    Flyway.configure()
        .dataSource(StoreDatabase.jdbcUrl(url), null, null)
        .locations("classpath:db/migration")
        .target("1")
        .load()
        .migrate();
    try (Connection c = connect(url);
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO model_identity (singleton, model_id, dimension, created)"
              + " VALUES (1, 'model-a', 2, CURRENT_TIMESTAMP)");
      s.executeUpdate(
          "INSERT INTO subjects (id, template, created, updated) VALUES ('old', "
              + hexBytes(TemplateVectors.toBytes(v(0, 1)))
              + ", CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
      // api_keys comes with version 2
      assertThatThrownBy(() -> s.executeQuery("SELECT * FROM api_keys")).isNotNull();
    }
    try (TemplateStore store = TemplateStores.open(url, "model-a", 2)) {
      assertThat(store.topK(v(0, 3), 1)).containsExactly(new Match("old", 1.0));
      String key = store.keys().create("k", EnumSet.of(Scope.ENROL));
      assertThat(store.keys().authenticate(key)).isPresent();
    }
  }

  /** A byte string literal that H2 and PostgreSQL both read as binary. */
  abstract String hexBytes(byte[] b);

  static float[] random(Random rnd, int d) {
    float[] x = new float[d];
    for (int i = 0; i < d; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  static double cos(float[] a, float[] b) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += (double) a[i] * b[i];
      aa += (double) a[i] * a[i];
      bb += (double) b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  }
}
