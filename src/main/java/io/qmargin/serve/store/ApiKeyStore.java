package io.qmargin.serve.store;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * API keys, stored only as hashes: the secret is shown once, when created, and cannot be read back.
 */
public interface ApiKeyStore {

  /** A key's name and scopes (never its secret). */
  record ApiKey(String name, Set<Scope> scopes) {}

  /** Creates a key and returns its secret, which is not stored. */
  String create(String name, Set<Scope> scopes);

  /** The key a presented secret belongs to, if any (constant-time comparison of hashes). */
  Optional<ApiKey> authenticate(String secret);

  boolean revoke(String name);

  List<ApiKey> list();
}
