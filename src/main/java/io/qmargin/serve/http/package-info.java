/**
 * The verification service over HTTP: {@link io.qmargin.serve.http.VerificationServer} serves a
 * JSON API under {@code /v1} (enrol, verify 1:1, identify 1:N at an operating point's threshold;
 * subjects; API keys), Prometheus metrics, an OpenAPI description and a web page, on Javalin;
 * {@link io.qmargin.serve.http.SampleEmbedder} turns uploads into embeddings with {@code embed}'s
 * preprocessing. It depends on the store ({@code io.qmargin.serve.store}), the request guards of
 * {@code io.qmargin.serve}, the model ({@code train}) and the readers of {@code data} and {@code
 * audio}; nothing below it depends on it.
 */
package io.qmargin.serve.http;
