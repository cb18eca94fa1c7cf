package io.qmargin.serve.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Enrolled subjects and their templates, in a database, for one model. A subject's template is the
 * L2-normalised mean of its samples' L2-normalised embeddings (as IJB template pooling), so adding
 * or removing a sample changes it. Every write is atomic and durable when the method returns; 1:N
 * search reads an in-memory float32 matrix that is consistent with the database after every write.
 * Implementations are thread-safe.
 */
public interface TemplateStore extends AutoCloseable {

  /** The identity of the model whose embeddings this store holds. */
  String modelId();

  /** Embedding dimension of every template. */
  int dimension();

  /**
   * Adds samples to a subject, creating the subject if it is new; all samples or none.
   *
   * @param actor the API key name (or other actor) recorded in the audit log
   */
  Subject addSamples(String subjectId, List<float[]> embeddings, String actor);

  /**
   * Enrols a new subject with its samples, failing if the id is enrolled already. The check is the
   * database's primary key inside the write's transaction, so of simultaneous enrolments of one new
   * id (from any thread or process) exactly one succeeds and the others change nothing.
   *
   * @param actor the API key name (or other actor) recorded in the audit log
   * @throws SubjectExistsException if the subject exists
   */
  Subject enrolNew(String subjectId, List<float[]> embeddings, String actor);

  /**
   * Enrols many new subjects in one transaction: all of them or, if any fails (an id that is
   * already enrolled, an invalid embedding), none. For bulk imports; one audit line per subject.
   *
   * @param samplesBySubject each new subject's sample embeddings
   * @throws IllegalArgumentException if a subject exists already or an embedding is invalid
   */
  void addSubjects(Map<String, List<float[]>> samplesBySubject, String actor);

  /**
   * Removes one sample; removing a subject's last sample deletes the subject.
   *
   * @throws UnknownSubjectException if the subject or the sample does not exist
   */
  Optional<Subject> removeSample(String subjectId, long sampleId, String actor);

  /** Deletes a subject and its samples; false when there was none. */
  boolean deleteSubject(String subjectId, String actor);

  Optional<Subject> find(String subjectId);

  /** Subject ids in ascending order, those after {@code after} (null: from the first). */
  List<String> list(String after, int limit);

  long count();

  /** Cosine of the probe (L2-normalised here) with the subject's template; empty if unknown. */
  OptionalDouble score(String subjectId, float[] probe);

  /** The {@code k} subjects whose templates score highest against the probe, best first. */
  List<Match> topK(float[] probe, int k);

  /** Records a decision (verify, identify) or other event in the audit log. */
  void audit(AuditEvent event);

  /** The most recent audit events, newest first. */
  List<AuditEvent> recentAudit(int limit);

  /** API keys stored in the same database. */
  ApiKeyStore keys();

  @Override
  void close();
}
