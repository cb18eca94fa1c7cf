package io.qmargin.serve.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * API keys in the {@code api_keys} table. A key is presented as {@code qm_<id>.<secret>}: the id (9
 * random bytes) finds the row, the secret (32 random bytes from {@link SecureRandom}, both
 * base64url) is checked against its stored SHA-256 with a constant-time comparison. A plain hash is
 * enough because the secret is 256 random bits, not a password a person chose: no dictionary helps,
 * and a slow hash (PBKDF2, Argon2) would only add milliseconds to every request.
 */
final class JdbcApiKeyStore implements ApiKeyStore {
  static final String PREFIX = "qm_";
  private static final int ID_BYTES = 9;
  private static final int SECRET_BYTES = 32;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final StoreDatabase db;
  private final SecureRandom random = new SecureRandom();

  JdbcApiKeyStore(StoreDatabase db) {
    this.db = db;
  }

  @Override
  public String create(String name, Set<Scope> scopes) {
    if (name == null || name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException("a key's name must have 1 to 200 characters");
    }
    if (scopes.isEmpty()) {
      throw new IllegalArgumentException("a key needs at least one scope");
    }
    byte[] idBytes = new byte[ID_BYTES];
    byte[] secretBytes = new byte[SECRET_BYTES];
    random.nextBytes(idBytes);
    random.nextBytes(secretBytes);
    String id = B64.encodeToString(idBytes);
    String secret = B64.encodeToString(secretBytes);
    db.inTransaction(
        c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM api_keys WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
              if (r.next()) {
                throw new IllegalArgumentException(
                    "a key named '" + name + "' exists already; revoke it first");
              }
            }
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO api_keys (key_id, name, secret_sha256, scopes, created)"
                      + " VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, name);
            s.setBytes(3, sha256(secret));
            s.setString(4, scopesText(scopes));
            s.setObject(5, StoreDatabase.timestamp(Instant.now()));
            s.executeUpdate();
          }
          return null;
        });
    return PREFIX + id + "." + secret;
  }

  @Override
  public Optional<ApiKey> authenticate(String presented) {
    if (presented == null || !presented.startsWith(PREFIX)) {
      return Optional.empty();
    }
    int dot = presented.indexOf('.', PREFIX.length());
    if (dot < 0) {
      return Optional.empty();
    }
    String id = presented.substring(PREFIX.length(), dot);
    byte[] hash = sha256(presented.substring(dot + 1));
    return db.query(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT name, secret_sha256, scopes FROM api_keys WHERE key_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
              if (!r.next() || !MessageDigest.isEqual(hash, r.getBytes(2))) {
                return Optional.<ApiKey>empty();
              }
              return Optional.of(new ApiKey(r.getString(1), parseScopes(r.getString(3))));
            }
          }
        });
  }

  @Override
  public boolean revoke(String name) {
    return db.inTransaction(
        c -> {
          try (PreparedStatement s = c.prepareStatement("DELETE FROM api_keys WHERE name = ?")) {
            s.setString(1, name);
            return s.executeUpdate() > 0;
          }
        });
  }

  @Override
  public List<ApiKey> list() {
    return db.query(
        c -> {
          List<ApiKey> out = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement("SELECT name, scopes FROM api_keys ORDER BY name");
              ResultSet r = s.executeQuery()) {
            while (r.next()) {
              out.add(new ApiKey(r.getString(1), parseScopes(r.getString(2))));
            }
          }
          return out;
        });
  }

  static String scopesText(Set<Scope> scopes) {
    return EnumSet.copyOf(scopes).stream()
        .map(s -> s.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(","));
  }

  private static Set<Scope> parseScopes(String text) throws SQLException {
    Set<Scope> out = EnumSet.noneOf(Scope.class);
    for (String s : text.split(",")) {
      try {
        out.add(Scope.valueOf(s.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new SQLException("api_keys.scopes holds an unknown scope '" + s + "'", e);
      }
    }
    return out;
  }

  private static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
