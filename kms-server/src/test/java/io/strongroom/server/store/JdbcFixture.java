package io.strongroom.server.store;

import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.store.Stores;
import io.strongroom.server.testing.TestPostgres;
import io.strongroom.server.testing.TestPostgres.Target;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Fresh, empty databases for the JDBC store tests, on H2 (a file database, as in the embedded
 * deployment) or on real PostgreSQL ({@link TestPostgres}), and the closing of everything opened
 * through it: audit logs first, then pools, then the PostgreSQL databases or schemas.
 */
final class JdbcFixture implements AutoCloseable {
  /** The databases the JDBC stores run on. */
  enum Backend {
    H2,
    POSTGRES
  }

  /** Connections per pool: enough for the contract's concurrent writers and the audit writer. */
  static final int POOL_SIZE = 8;

  private final Backend backend;
  private final Path dir;
  private final Deque<Runnable> toClose = new ArrayDeque<>();
  private int h2Databases;

  /**
   * @param dir where H2 database files go (a JUnit temporary directory); unused for PostgreSQL
   */
  JdbcFixture(Backend backend, Path dir) {
    this.backend = backend;
    this.dir = dir;
  }

  Backend backend() {
    return backend;
  }

  /** A new, empty database (not yet migrated), dropped on {@link #close} if PostgreSQL. */
  Target newTarget() {
    return switch (backend) {
      case H2 -> {
        String name = "db" + h2Databases++;
        yield new Target(
            "jdbc:h2:file:" + dir.toAbsolutePath().resolve(name), "sa", "", name, null);
      }
      case POSTGRES -> {
        Target t = TestPostgres.freshDatabase();
        toClose.push(() -> TestPostgres.drop(t));
        yield t;
      }
    };
  }

  /** Opens (and so migrates) {@code target}; the pool is closed on {@link #close}. */
  Database open(Target target) {
    Database db = Database.open(target.url(), target.user(), target.password(), POOL_SIZE);
    toClose.push(db::close);
    return db;
  }

  /** The JDBC stores over {@code db}; the audit log is closed on {@link #close}. */
  Stores stores(Database db, AuditChain chain) {
    Stores stores = JdbcStores.create(db, chain);
    JdbcAuditLog log = (JdbcAuditLog) stores.audit();
    toClose.push(log::close);
    return stores;
  }

  /** The JDBC stores over a fresh, migrated, empty database. */
  Stores freshStores(AuditChain chain) {
    return stores(open(newTarget()), chain);
  }

  /** Closes in reverse order of opening; throws the first failure after trying them all. */
  @Override
  public void close() {
    RuntimeException first = null;
    while (!toClose.isEmpty()) {
      try {
        toClose.pop().run();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
