package io.qmargin.serve.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.qmargin.UserInputException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The service's database: a HikariCP connection pool on a JDBC URL, migrated to this version's
 * schema (Flyway, {@code db/migration}) when opened. A plain path (no {@code jdbc:} prefix) is an
 * embedded H2 file database at that path ({@code PATH.mv.db}); {@code jdbc:h2:} URLs get {@code
 * WRITE_DELAY=0} unless they set it, so that every commit is in the file (and survives the process
 * being killed) when it returns. PostgreSQL is reached by a {@code jdbc:postgresql:} URL.
 */
public final class StoreDatabase implements AutoCloseable {

  /**
   * Where the database is and how to log in.
   *
   * @param url a JDBC URL or a path for an embedded H2 database
   * @param user user name, or null (from the URL or the driver's default)
   * @param password password, or null
   * @param maxPoolSize most connections held open at once
   */
  public record Settings(String url, String user, String password, int maxPoolSize) {
    public Settings {
      if (url == null || url.isBlank()) {
        throw new IllegalArgumentException("no database URL or path");
      }
      if (maxPoolSize < 1) {
        throw new IllegalArgumentException("pool size must be at least 1, got " + maxPoolSize);
      }
    }

    /** A URL or path with credentials (if any) in the URL and a pool of 8 connections. */
    public static Settings of(String urlOrPath) {
      return new Settings(urlOrPath, null, null, 8);
    }
  }

  /** The model recorded in a database. */
  public record StoredModel(String modelId, int dimension) {}

  /** Work done on one connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final HikariDataSource pool;
  private final String description;
  private final JdbcApiKeyStore keys;

  private StoreDatabase(HikariDataSource pool, String description) {
    this.pool = pool;
    this.description = description;
    this.keys = new JdbcApiKeyStore(this);
  }

  /**
   * Opens the pool and migrates the schema.
   *
   * @throws UserInputException if the database cannot be reached or migrated (the message names the
   *     URL, without its password)
   */
  public static StoreDatabase open(Settings settings) {
    String url = jdbcUrl(settings.url());
    String description = redacted(url);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    if (settings.user() != null) {
      config.setUsername(settings.user());
    }
    if (settings.password() != null) {
      config.setPassword(settings.password());
    }
    config.setMaximumPoolSize(settings.maxPoolSize());
    config.setMinimumIdle(1);
    config.setPoolName("qmargin-store");
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new UserInputException(
          "cannot open database " + description + ": " + rootMessage(e), e);
    }
    try {
      Flyway.configure()
          .dataSource(pool)
          .locations("classpath:db/migration")
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (FlywayException e) {
      pool.close();
      throw new UserInputException(
          "cannot migrate database " + description + " to this version's schema: " + e.getMessage(),
          e);
    }
    return new StoreDatabase(pool, description);
  }

  /**
   * The JDBC URL of a URL or path: a path becomes an H2 file URL, and H2 URLs get {@code
   * WRITE_DELAY=0} unless they set it.
   */
  public static String jdbcUrl(String urlOrPath) {
    String url = urlOrPath;
    if (!url.regionMatches(true, 0, "jdbc:", 0, 5)) {
      String path = Path.of(urlOrPath).toAbsolutePath().normalize().toString();
      if (path.endsWith(".mv.db")) {
        path = path.substring(0, path.length() - ".mv.db".length()); // H2 adds it back
      }
      url = "jdbc:h2:file:" + path;
    }
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:h2:mem:")) {
      if (!lower.contains("write_delay")) {
        url += ";WRITE_DELAY=0";
      }
    }
    return url;
  }

  /** The URL with any password replaced by ***, for messages and logs. */
  static String redacted(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  /** The database, for messages (its URL without a password). */
  public String description() {
    return description;
  }

  /** API keys stored in this database. */
  public ApiKeyStore keys() {
    return keys;
  }

  /** The model recorded in the database, if a store was ever opened on it. */
  public Optional<StoredModel> storedModel() {
    return query(
        c -> {
          try (PreparedStatement s =
                  c.prepareStatement("SELECT model_id, dimension FROM model_identity");
              ResultSet r = s.executeQuery()) {
            return r.next()
                ? Optional.of(new StoredModel(r.getString(1), r.getInt(2)))
                : Optional.<StoredModel>empty();
          }
        });
  }

  /**
   * Records the model if the database has none yet, and returns the model recorded (the given one,
   * or the one recorded before).
   */
  StoredModel recordModel(String modelId, int dimension) {
    Optional<StoredModel> stored = storedModel();
    if (stored.isPresent()) {
      return stored.get();
    }
    try {
      inTransaction(
          c -> {
            try (PreparedStatement s =
                c.prepareStatement(
                    "INSERT INTO model_identity (singleton, model_id, dimension, created)"
                        + " VALUES (1, ?, ?, ?)")) {
              s.setString(1, modelId);
              s.setInt(2, dimension);
              s.setObject(3, timestamp(Instant.now()));
              s.executeUpdate();
            }
            return null;
          });
    } catch (StoreException e) {
      // another process recorded its model first: that one counts
      return storedModel().orElseThrow(() -> e);
    }
    return new StoredModel(modelId, dimension);
  }

  /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
  public <T> T inTransaction(Work<T> work) {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("database " + description + ": " + e.getMessage(), e);
    }
  }

  /** Runs {@code work} on a connection in auto-commit mode (reads, single statements). */
  public <T> T query(Work<T> work) {
    try (Connection c = pool.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new StoreException("database " + description + ": " + e.getMessage(), e);
    }
  }

  /**
   * A time as stored: UTC, to the microsecond (PostgreSQL's resolution, so both read back equal).
   */
  static OffsetDateTime timestamp(Instant t) {
    return OffsetDateTime.ofInstant(t.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  static Instant instant(ResultSet r, int column) throws SQLException {
    OffsetDateTime t = r.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  @Override
  public void close() {
    pool.close();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
