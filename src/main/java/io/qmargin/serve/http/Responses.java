package io.qmargin.serve.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.store.ApiKeyStore;
import io.qmargin.serve.store.AuditEvent;
import io.qmargin.serve.store.Subject;
import java.util.List;

/**
 * The JSON bodies of the API: records whose components become snake_case fields ({@code subjectId}
 * is {@code subject_id}), as {@code /openapi.json} describes them.
 */
final class Responses {
  private Responses() {}

  /** Writes the bodies and reads request bodies strictly (unknown fields and nulls refused). */
  static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /** What anyone may learn: the service is up, and which model it runs (not the gallery size). */
  record Health(String status, String modelId) {}

  record Info(
      String modelId,
      String sampleKind,
      int dimension,
      OperatingPoint operatingPoint,
      List<String> figures) {}

  /** Times are ISO-8601 strings (Jackson here has no java.time module). */
  record Enrolment(String subjectId, List<Long> sampleIds, String created, String updated) {
    static Enrolment of(Subject s) {
      return new Enrolment(
          s.id(), s.sampleIds(), String.valueOf(s.created()), String.valueOf(s.updated()));
    }
  }

  record Listing(long count, List<String> subjects, String next) {}

  record Decision(
      String subjectId,
      double score,
      boolean accepted,
      double threshold,
      double far,
      double targetFar) {}

  record Candidate(String subjectId, double score, boolean accepted) {}

  record Identification(
      List<Candidate> candidates, double threshold, double far, double targetFar) {}

  record KeyRequest(String name, List<String> scopes) {}

  record KeyView(String name, List<String> scopes) {
    static KeyView of(ApiKeyStore.ApiKey k) {
      return new KeyView(k.name(), k.scopes().stream().map(Scopes::word).sorted().toList());
    }
  }

  record NewKey(String name, List<String> scopes, String secret) {}

  record AuditView(
      String time, String actor, String action, String subjectId, Double score, Boolean accepted) {
    static AuditView of(AuditEvent e) {
      return new AuditView(
          String.valueOf(e.time()), e.actor(), e.action(), e.subjectId(), e.score(), e.accepted());
    }
  }
}
