package io.qmargin.serve.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link TemplateStore} in a {@link StoreDatabase}, with every template also in a {@link
 * TemplateMatrix} for search. A write runs in one transaction (samples, the subject's template and
 * the audit line together) and the matrix is changed after the commit, while the subject's lock is
 * still held, so that two writes of one subject reach the matrix in the order they reached the
 * database. One process serves a database: the matrix does not see writes of other processes.
 */
final class JdbcTemplateStore implements TemplateStore {
  /** Longest subject id (the column's width). */
  static final int MAX_ID_LENGTH = 256;

  /** SQLSTATE of a unique or primary key violation (H2 and PostgreSQL alike). */
  private static final String UNIQUE_VIOLATION = "23505";

  private final StoreDatabase db;
  private final String modelId;
  private final int dimension;
  private final TemplateMatrix matrix;
  private final ReentrantLock[] stripes = new ReentrantLock[64];

  private JdbcTemplateStore(StoreDatabase db, String modelId, int dimension) {
    this.db = db;
    this.modelId = modelId;
    this.dimension = dimension;
    this.matrix = new TemplateMatrix(dimension);
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /** A store on {@code db} (whose recorded model the caller checked), its templates loaded. */
  static JdbcTemplateStore load(StoreDatabase db, String modelId, int dimension) {
    JdbcTemplateStore store = new JdbcTemplateStore(db, modelId, dimension);
    // in a transaction: PostgreSQL streams a result set (by the fetch size) only without
    // auto-commit, instead of holding every template's bytes at once
    db.inTransaction(
        c -> {
          try (Statement s = c.createStatement();
              ResultSet r = s.executeQuery("SELECT COUNT(*) FROM subjects")) {
            r.next();
            store.matrix.reserve((int) Math.min(Integer.MAX_VALUE, r.getLong(1)));
          }
          try (Statement s = c.createStatement()) {
            s.setFetchSize(10_000);
            try (ResultSet r = s.executeQuery("SELECT id, template FROM subjects")) {
              while (r.next()) {
                store.matrix.put(
                    r.getString(1), TemplateVectors.fromBytes(r.getBytes(2), dimension));
              }
            }
          }
          return null;
        });
    return store;
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  /** The in-memory matrix searches run on (for measuring the search alone). */
  TemplateMatrix matrix() {
    return matrix;
  }

  @Override
  public Subject addSamples(String subjectId, List<float[]> embeddings, String actor) {
    return write(subjectId, embeddings, actor, false);
  }

  @Override
  public Subject enrolNew(String subjectId, List<float[]> embeddings, String actor) {
    return write(subjectId, embeddings, actor, true);
  }

  /** Adds samples, creating the subject if new; {@code createOnly}: only if new. */
  private Subject write(
      String subjectId, List<float[]> embeddings, String actor, boolean createOnly) {
    checkId(subjectId);
    TemplateVectors.pool(embeddings, dimension); // checks every embedding before any write
    ReentrantLock lock = lockOf(subjectId);
    lock.lock();
    try {
      Subject subject =
          db.inTransaction(
              c -> {
                Instant now = Instant.now();
                // create-only skips the look-up: the insert's primary key decides, atomically
                Instant created = createOnly ? null : createdOf(c, subjectId);
                boolean isNew = created == null;
                List<Long> ids = new ArrayList<>();
                List<float[]> all = new ArrayList<>();
                if (isNew) {
                  created = now;
                  // the template is written below, once the samples are in
                  try (PreparedStatement s =
                      c.prepareStatement(
                          "INSERT INTO subjects (id, template, created, updated)"
                              + " VALUES (?, ?, ?, ?)")) {
                    s.setString(1, subjectId);
                    s.setBytes(2, new byte[0]);
                    s.setObject(3, StoreDatabase.timestamp(now));
                    s.setObject(4, StoreDatabase.timestamp(now));
                    s.executeUpdate();
                  } catch (SQLException e) {
                    if (createOnly && UNIQUE_VIOLATION.equals(e.getSQLState())) {
                      throw new SubjectExistsException(
                          "subject '" + subjectId + "' is enrolled already");
                    }
                    throw e;
                  }
                } else {
                  readSamples(c, subjectId, ids, all);
                }
                try (PreparedStatement s =
                    c.prepareStatement(
                        "INSERT INTO samples (subject_id, embedding, created) VALUES (?, ?, ?)",
                        new String[] {"id"})) {
                  for (float[] e : embeddings) {
                    s.setString(1, subjectId);
                    s.setBytes(2, TemplateVectors.toBytes(e));
                    s.setObject(3, StoreDatabase.timestamp(now));
                    s.executeUpdate();
                    try (ResultSet k = s.getGeneratedKeys()) {
                      k.next();
                      ids.add(k.getLong(1));
                    }
                    all.add(e);
                  }
                }
                float[] template = TemplateVectors.pool(all, dimension);
                writeTemplate(c, subjectId, template, now);
                insertAudit(
                    c,
                    new AuditEvent(
                        now, actor, isNew ? "enrol" : "add_samples", subjectId, null, null));
                return new Subject(
                    subjectId,
                    template,
                    List.copyOf(ids),
                    StoreDatabase.timestamp(created).toInstant(),
                    StoreDatabase.timestamp(now).toInstant());
              });
      matrix.put(subjectId, subject.template());
      return subject;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void addSubjects(Map<String, List<float[]>> samplesBySubject, String actor) {
    Map<String, float[]> templates = new LinkedHashMap<>();
    for (Map.Entry<String, List<float[]>> e : samplesBySubject.entrySet()) {
      checkId(e.getKey());
      try {
        templates.put(e.getKey(), TemplateVectors.pool(e.getValue(), dimension));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("subject '" + e.getKey() + "': " + ex.getMessage(), ex);
      }
    }
    // every subject's lock, in one order, so no other write of these subjects interleaves
    for (ReentrantLock lock : stripes) {
      lock.lock();
    }
    try {
      for (String id : templates.keySet()) {
        if (matrix.contains(id)) {
          throw new IllegalArgumentException("subject '" + id + "' is enrolled already");
        }
      }
      db.inTransaction(
          c -> {
            OffsetDateTime now = StoreDatabase.timestamp(Instant.now());
            try (PreparedStatement subjects =
                    c.prepareStatement(
                        "INSERT INTO subjects (id, template, created, updated) VALUES (?, ?, ?, ?)");
                PreparedStatement samples =
                    c.prepareStatement(
                        "INSERT INTO samples (subject_id, embedding, created) VALUES (?, ?, ?)");
                PreparedStatement audit =
                    c.prepareStatement(
                        "INSERT INTO audit_log (event_time, actor, action, subject_id)"
                            + " VALUES (?, ?, 'enrol', ?)")) {
              for (Map.Entry<String, float[]> e : templates.entrySet()) {
                String id = e.getKey();
                subjects.setString(1, id);
                subjects.setBytes(2, TemplateVectors.toBytes(e.getValue()));
                subjects.setObject(3, now);
                subjects.setObject(4, now);
                subjects.addBatch();
                for (float[] x : samplesBySubject.get(id)) {
                  samples.setString(1, id);
                  samples.setBytes(2, TemplateVectors.toBytes(x));
                  samples.setObject(3, now);
                  samples.addBatch();
                }
                audit.setObject(1, now);
                audit.setString(2, actor);
                audit.setString(3, id);
                audit.addBatch();
              }
              subjects.executeBatch();
              samples.executeBatch();
              audit.executeBatch();
            }
            return null;
          });
      for (Map.Entry<String, float[]> e : templates.entrySet()) {
        matrix.put(e.getKey(), e.getValue());
      }
    } finally {
      for (int i = stripes.length - 1; i >= 0; i--) {
        stripes[i].unlock();
      }
    }
  }

  @Override
  public Optional<Subject> removeSample(String subjectId, long sampleId, String actor) {
    ReentrantLock lock = lockOf(subjectId);
    lock.lock();
    try {
      Optional<Subject> after =
          db.inTransaction(
              c -> {
                Instant now = Instant.now();
                Instant created = createdOf(c, subjectId);
                if (created == null) {
                  throw new UnknownSubjectException("no subject '" + subjectId + "'");
                }
                try (PreparedStatement s =
                    c.prepareStatement("DELETE FROM samples WHERE id = ? AND subject_id = ?")) {
                  s.setLong(1, sampleId);
                  s.setString(2, subjectId);
                  if (s.executeUpdate() == 0) {
                    throw new UnknownSubjectException(
                        "subject '" + subjectId + "' has no sample " + sampleId);
                  }
                }
                List<Long> ids = new ArrayList<>();
                List<float[]> rest = new ArrayList<>();
                readSamples(c, subjectId, ids, rest);
                insertAudit(c, new AuditEvent(now, actor, "remove_sample", subjectId, null, null));
                if (rest.isEmpty()) {
                  deleteRow(c, subjectId);
                  return Optional.<Subject>empty();
                }
                float[] template = TemplateVectors.pool(rest, dimension);
                writeTemplate(c, subjectId, template, now);
                return Optional.of(
                    new Subject(
                        subjectId,
                        template,
                        List.copyOf(ids),
                        created,
                        StoreDatabase.timestamp(now).toInstant()));
              });
      if (after.isPresent()) {
        matrix.put(subjectId, after.get().template());
      } else {
        matrix.remove(subjectId);
      }
      return after;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean deleteSubject(String subjectId, String actor) {
    ReentrantLock lock = lockOf(subjectId);
    lock.lock();
    try {
      boolean deleted =
          db.inTransaction(
              c -> {
                if (!deleteRow(c, subjectId)) {
                  return false;
                }
                insertAudit(
                    c, new AuditEvent(Instant.now(), actor, "delete", subjectId, null, null));
                return true;
              });
      if (deleted) {
        matrix.remove(subjectId);
      }
      return deleted;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<Subject> find(String subjectId) {
    ReentrantLock lock = lockOf(subjectId);
    lock.lock(); // no write of this subject between the two reads
    try {
      return db.query(
          c -> {
            float[] template;
            Instant created;
            Instant updated;
            try (PreparedStatement s =
                c.prepareStatement(
                    "SELECT template, created, updated FROM subjects WHERE id = ?")) {
              s.setString(1, subjectId);
              try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                  return Optional.<Subject>empty();
                }
                template = TemplateVectors.fromBytes(r.getBytes(1), dimension);
                created = StoreDatabase.instant(r, 2);
                updated = StoreDatabase.instant(r, 3);
              }
            }
            List<Long> ids = new ArrayList<>();
            readSamples(c, subjectId, ids, null);
            return Optional.of(
                new Subject(subjectId, template, List.copyOf(ids), created, updated));
          });
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<String> list(String after, int limit) {
    return matrix.idsAfter(after, limit);
  }

  @Override
  public long count() {
    return matrix.size();
  }

  @Override
  public OptionalDouble score(String subjectId, float[] probe) {
    return matrix.score(subjectId, TemplateVectors.normalized(probe, dimension));
  }

  @Override
  public List<Match> topK(float[] probe, int k) {
    return matrix.topK(TemplateVectors.normalized(probe, dimension), k);
  }

  @Override
  public void audit(AuditEvent event) {
    db.query(
        c -> {
          insertAudit(c, event);
          return null;
        });
  }

  @Override
  public List<AuditEvent> recentAudit(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("negative limit " + limit);
    }
    return db.query(
        c -> {
          List<AuditEvent> out = new ArrayList<>();
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT event_time, actor, action, subject_id, score, accepted FROM audit_log"
                      + " ORDER BY id DESC LIMIT ?")) {
            s.setInt(1, limit);
            try (ResultSet r = s.executeQuery()) {
              while (r.next()) {
                double score = r.getDouble(5);
                Double boxedScore = r.wasNull() ? null : score;
                boolean accepted = r.getBoolean(6);
                Boolean boxedAccepted = r.wasNull() ? null : accepted;
                out.add(
                    new AuditEvent(
                        StoreDatabase.instant(r, 1),
                        r.getString(2),
                        r.getString(3),
                        r.getString(4),
                        boxedScore,
                        boxedAccepted));
              }
            }
          }
          return out;
        });
  }

  @Override
  public ApiKeyStore keys() {
    return db.keys();
  }

  @Override
  public void close() {
    db.close();
  }

  private ReentrantLock lockOf(String subjectId) {
    return stripes[Math.floorMod(subjectId.hashCode(), stripes.length)];
  }

  static void checkId(String subjectId) {
    if (subjectId == null || subjectId.isEmpty() || subjectId.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException(
          "a subject id must have 1 to " + MAX_ID_LENGTH + " characters");
    }
    for (int i = 0; i < subjectId.length(); i++) {
      if (Character.isISOControl(subjectId.charAt(i))) {
        throw new IllegalArgumentException(
            "subject id has a control character at position " + (i + 1));
      }
    }
  }

  private static Instant createdOf(Connection c, String subjectId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT created FROM subjects WHERE id = ?")) {
      s.setString(1, subjectId);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? StoreDatabase.instant(r, 1) : null;
      }
    }
  }

  /** The subject's sample ids (and embeddings, if {@code embeddings} is not null), by id. */
  private void readSamples(Connection c, String subjectId, List<Long> ids, List<float[]> embeddings)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT id, embedding FROM samples WHERE subject_id = ? ORDER BY id")) {
      s.setString(1, subjectId);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          ids.add(r.getLong(1));
          if (embeddings != null) {
            embeddings.add(TemplateVectors.fromBytes(r.getBytes(2), dimension));
          }
        }
      }
    }
  }

  private static void writeTemplate(Connection c, String subjectId, float[] template, Instant now)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("UPDATE subjects SET template = ?, updated = ? WHERE id = ?")) {
      s.setBytes(1, TemplateVectors.toBytes(template));
      s.setObject(2, StoreDatabase.timestamp(now));
      s.setString(3, subjectId);
      s.executeUpdate();
    }
  }

  private static boolean deleteRow(Connection c, String subjectId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM subjects WHERE id = ?")) {
      s.setString(1, subjectId);
      return s.executeUpdate() > 0;
    }
  }

  private static void insertAudit(Connection c, AuditEvent e) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO audit_log (event_time, actor, action, subject_id, score, accepted)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      s.setObject(1, StoreDatabase.timestamp(e.time() != null ? e.time() : Instant.now()));
      s.setString(2, e.actor());
      s.setString(3, e.action());
      s.setString(4, e.subjectId());
      if (e.score() == null) {
        s.setNull(5, Types.DOUBLE);
      } else {
        s.setDouble(5, e.score());
      }
      if (e.accepted() == null) {
        s.setNull(6, Types.BOOLEAN);
      } else {
        s.setBoolean(6, e.accepted());
      }
      s.executeUpdate();
    }
  }
}
