package io.strongroom.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.strongroom.core.Blocking;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC database behind every store: a HikariCP pool, Flyway migrations, and the small helpers
 * the stores share. Every {@link SQLException} leaves here as a {@link KmsException}: a unique
 * violation is ALREADY_EXISTS, anything else UNAVAILABLE (details go to the log, not to callers).
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final HikariDataSource pool;

  private Database(HikariDataSource pool) {
    this.pool = pool;
  }

  /**
   * Opens the pool and migrates the schema.
   *
   * @param url a {@code jdbc:h2:} or {@code jdbc:postgresql:} URL
   */
  public static Database open(String url, String user, String password, int poolSize) {
    if (url.startsWith("jdbc:h2:")) {
      withoutH2ValueCache();
    }
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    if (user != null) {
      cfg.setUsername(user);
    }
    if (password != null) {
      cfg.setPassword(password);
    }
    cfg.setMaximumPoolSize(poolSize);
    cfg.setMinimumIdle(Math.min(2, poolSize));
    cfg.setPoolName("strongroom-db");
    cfg.setConnectionTimeout(5_000);
    cfg.setInitializationFailTimeout(10_000);
    HikariDataSource ds = new HikariDataSource(cfg);
    try {
      Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
    return new Database(ds);
  }

  /** H2's system property for its value cache, read once, when H2 first loads. */
  static final String H2_VALUE_CACHE = "h2.objectCache";

  /**
   * Turns off H2's shared value cache for this process, unless the operator set it. H2 looks every
   * value it makes up in a process-wide array of soft references, to share equal ones: for the
   * audit writer, whose strings are all new (request ids, contexts), that lookup was a tenth of its
   * time, and it saves nothing. H2 reads the property once, when it first loads, so this has to run
   * before any H2 class does: {@link #open} is the server's first use of H2.
   */
  private static void withoutH2ValueCache() {
    if (System.getProperty(H2_VALUE_CACHE) == null) {
      System.setProperty(H2_VALUE_CACHE, "false");
    }
  }

  public HikariDataSource pool() {
    return pool;
  }

  /** Work inside one connection. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  /** Binds parameters on a statement. */
  @FunctionalInterface
  public interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** Maps the current row. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** Runs {@code work} with auto-commit. */
  public <T> T withConnection(SqlWork<T> work) {
    Blocking.check();
    try (Connection c = pool.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  /** Runs {@code work} in one transaction, committed on return and rolled back on any failure. */
  public <T> T inTransaction(SqlWork<T> work) {
    Blocking.check();
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  public <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
    return withConnection(c -> query(c, sql, binder, mapper));
  }

  public static <T> List<T> query(Connection c, String sql, Binder binder, RowMapper<T> mapper)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
        return out;
      }
    }
  }

  public int update(String sql, Binder binder) {
    return withConnection(c -> update(c, sql, binder));
  }

  public static int update(Connection c, String sql, Binder binder) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      return ps.executeUpdate();
    }
  }

  /** Checks that the database answers; throws UNAVAILABLE if not. */
  public void ping() {
    withConnection(c -> c.isValid(2) ? null : failPing());
  }

  private static Void failPing() throws SQLException {
    throw new SQLException("connection is not valid", "08000");
  }

  static boolean isUniqueViolation(SQLException e) {
    for (SQLException s = e; s != null; s = s.getNextException()) {
      if ("23505".equals(s.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  static KmsException translate(SQLException e) {
    if (isUniqueViolation(e)) {
      return new KmsException(ErrorCode.ALREADY_EXISTS, "already exists");
    }
    if (e.getSQLState() != null && e.getSQLState().startsWith("22")) {
      // SQLState class 22, data exception: a value the database cannot hold came from a request
      // that validation should have refused; it is still the caller's input, not an outage.
      LOG.warn("database refused a value (SQLState {})", e.getSQLState());
      return KmsException.invalidArgument("a value in the request cannot be stored");
    }
    LOG.warn("database error (SQLState {}): {}", e.getSQLState(), e.getMessage());
    return KmsException.unavailable("the database is unavailable", e);
  }

  /** Reads a nullable BIGINT. */
  static Long getLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  @Override
  public void close() {
    pool.close();
  }
}
