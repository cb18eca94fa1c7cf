package io.qmargin.serve.store;

/** One result of a 1:N search: a subject and the cosine of the probe with its template. */
public record Match(String subjectId, double score) {}
