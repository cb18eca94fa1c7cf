package io.qmargin.serve.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store on a real PostgreSQL server: zonky's embedded PostgreSQL binaries (a Maven dependency,
 * nothing downloaded at run time), started for this class; one database per test.
 */
class PostgresTemplateStoreTest extends TemplateStoreContract {
  private static EmbeddedPostgres server;
  private static int databases;

  @BeforeAll
  static void start() throws Exception {
    server = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Override
  String freshDatabase() throws Exception {
    String name = "store" + databases++;
    try (Connection c = server.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("CREATE DATABASE " + name);
    }
    return server.getJdbcUrl("postgres", name);
  }

  @Override
  String hexBytes(byte[] b) {
    return "'\\x" + HexFormat.of().formatHex(b) + "'::bytea";
  }
}
