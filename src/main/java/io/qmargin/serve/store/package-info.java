/**
 * Storage of the verification service: subjects, their samples and templates, API keys and the
 * audit log in a database (an embedded file database by default, PostgreSQL by JDBC URL), with
 * versioned schema migrations and an in-memory matrix for 1:N search.
 */
package io.qmargin.serve.store;
