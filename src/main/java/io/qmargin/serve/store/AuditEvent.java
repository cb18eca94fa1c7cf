package io.qmargin.serve.store;

import java.time.Instant;

/**
 * One line of the audit log: who did what to which subject, and, for decisions, the score and the
 * decision. Never holds image, audio or template content.
 *
 * @param action enrol, remove_sample, delete, verify, identify, ...
 * @param score the decision's score, or null
 * @param accepted the decision, or null when the event is not a decision
 */
public record AuditEvent(
    Instant time, String actor, String action, String subjectId, Double score, Boolean accepted) {}
