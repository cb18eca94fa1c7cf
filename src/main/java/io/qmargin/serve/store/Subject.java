package io.qmargin.serve.store;

import java.time.Instant;
import java.util.List;

/**
 * An enrolled subject: its template (L2-normalised mean of its samples) and the ids of its samples.
 */
public record Subject(
    String id, float[] template, List<Long> sampleIds, Instant created, Instant updated) {}
