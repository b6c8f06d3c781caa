package io.strongroom.server;

import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.custody.LocalFileRootKey;
import io.strongroom.core.custody.RootKey;
import io.strongroom.core.custody.SoftwareKeyCustodian;
import io.strongroom.core.custody.VersionRef;
import io.strongroom.core.store.KeyStore;
import io.strongroom.core.store.KeyStore.StoredVersion;
import io.strongroom.core.store.SettingStore;
import io.strongroom.server.config.ServerConfig;
import io.strongroom.server.store.Database;
import io.strongroom.server.store.JdbcKeyStore;
import io.strongroom.server.store.JdbcStores;
import io.strongroom.server.tls.EmbeddedTls;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Moves a deployment from one root key to another: re-wraps every stored secret that the root key
 * protects, written against the {@link RootKey} SPI only (a local file today, a PKCS#11 token key
 * later). The secrets are:
 *
 * <ol>
 *   <li>the material of every SOFTWARE key version (in the {@link KeyStore}, bound to its version
 *       by {@code ref.bindingAad(SoftwareKeyCustodian.MATERIAL_LABEL)}), destroy-scheduled and
 *       disabled versions included;
 *   <li>the audit key (setting {@code audit-key}, bound to {@link StrongroomServer#AUDIT_KEY_AAD});
 *   <li>the embedded TLS server key ({@code tls/server.key.wrapped} in the data directory), if the
 *       file exists.
 * </ol>
 *
 * <p>Each item is handled on its own: if it already unwraps under the new root key it is left alone
 * (already migrated); otherwise it is unwrapped with the old root, wrapped with the new one,
 * checked to unwrap again under the new one, and stored in place of the old bytes by
 * compare-and-set on those bytes ({@link KeyStore#replaceMaterial}, {@link SettingStore#replace};
 * the TLS file is replaced by an atomic rename of a 0600 temporary file). So whenever a run stops,
 * every item is valid under exactly one of the two root keys, and running again finishes the job.
 * Plaintext is zeroed as soon as it has been re-wrapped. An item that unwraps under neither root
 * key (or that the new root cannot wrap) is reported by reference (tenant, key, version; never
 * material) and the run goes on with the others.
 *
 * <p>Caches: a migrated SOFTWARE version's unwrapped material is the same bytes as before, so the
 * material cache ({@link SoftwareKeyCustodian}) needs no invalidation. The migration is meant to
 * run with every server of the deployment stopped: a running node keeps using its root key and its
 * cached key rings (stored forms for up to {@code --cache-ttl}), and a node still on the old root
 * key would store new versions that this run has not seen (a second run migrates them).
 */
public final class RootMigration {
  /** The setting that holds the wrapped audit key (see {@link StrongroomServer}). */
  static final String AUDIT_KEY_SETTING = "audit-key";

  private static final int PAGE_SIZE = 500;
  private static final int ATTEMPTS = 3;
  private static final byte[] PROBE_AAD =
      "strongroom/root-migration-probe/v1".getBytes(StandardCharsets.US_ASCII);

  /** The kinds of stored secret a root key protects. */
  public enum Kind {
    SOFTWARE_VERSION("SOFTWARE key versions"),
    AUDIT_KEY("audit key"),
    TLS_KEY("embedded TLS server key");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** What happened to the items of one kind. */
  public record Counts(int migrated, int alreadyMigrated, int failed) {
    public int total() {
      return migrated + alreadyMigrated + failed;
    }
  }

  /**
   * An item that could not be migrated.
   *
   * @param item a reference to the item (tenant, key and version; a setting name; a file), never
   *     its content
   */
  public record Failure(Kind kind, String item, String reason) {}

  /**
   * The outcome of one run.
   *
   * @param from the old root key's description
   * @param to the new root key's description
   */
  public record Report(String from, String to, Map<Kind, Counts> counts, List<Failure> failures) {
    public Report {
      counts = Map.copyOf(counts);
      failures = List.copyOf(failures);
    }

    /** True when every stored secret is now wrapped by the new root key. */
    public boolean complete() {
      return failures.isEmpty();
    }

    public Counts counts(Kind kind) {
      return counts.getOrDefault(kind, new Counts(0, 0, 0));
    }

    /** The report as printed by {@code strongroom-server --migrate-root-from-file}. */
    public String format() {
      StringBuilder b = new StringBuilder();
      b.append("Root key migration\n");
      b.append("  from  ").append(from).append('\n');
      b.append("  to    ").append(to).append('\n');
      for (Kind k : Kind.values()) {
        Counts c = counts(k);
        b.append(
            String.format(
                Locale.ROOT,
                "  %-25s %d migrated, %d already migrated, %d failed%n",
                k.label() + ":",
                c.migrated(),
                c.alreadyMigrated(),
                c.failed()));
      }
      for (Failure f : failures) {
        b.append("  FAILED ")
            .append(f.kind().label())
            .append(": ")
            .append(f.item())
            .append(": ")
            .append(f.reason())
            .append('\n');
      }
      if (complete()) {
        b.append(
            "COMPLETE: every stored secret is wrapped by the new root key; the old root key is no"
                + " longer needed.\n");
      } else {
        b.append(
            String.format(
                Locale.ROOT,
                "INCOMPLETE: %d item(s) failed; keep the old root key, fix the cause and run"
                    + " again.%n",
                failures.size()));
      }
      return b.toString();
    }
  }

  private final KeyStore keys;
  private final SettingStore settings;
  private final Path tlsDir;
  private final int pageSize;

  /**
   * @param tlsDir the data directory's {@code tls} directory, or null for a deployment without one
   */
  public RootMigration(KeyStore keys, SettingStore settings, Path tlsDir) {
    this(keys, settings, tlsDir, PAGE_SIZE);
  }

  RootMigration(KeyStore keys, SettingStore settings, Path tlsDir, int pageSize) {
    this.keys = keys;
    this.settings = settings;
    this.tlsDir = tlsDir;
    this.pageSize = pageSize;
  }

  /**
   * Migrates every stored secret from {@code from} to {@code to}: SOFTWARE key versions, then the
   * audit key, then the embedded TLS key. Safe to run again at any time.
   *
   * @return what happened; {@link Report#complete()} when nothing failed
   * @throws IllegalArgumentException when {@code from} and {@code to} are the same key
   * @throws RuntimeException when a store or the new root key fails outright (e.g. the database is
   *     unavailable); the run stops there, and every item is still valid under one of the two keys
   */
  public Report run(RootKey from, RootKey to) {
    if (sameKey(from, to)) {
      throw new IllegalArgumentException(
          "the old and the new root key are the same key (" + to.describe() + ")");
    }
    Tally tally = new Tally();
    migrateVersions(from, to, tally);
    migrateAuditKey(from, to, tally);
    migrateTlsKey(from, to, tally);
    return tally.report(from.describe(), to.describe());
  }

  // ---------------------------------------------------------------- the three kinds

  private void migrateVersions(RootKey from, RootKey to, Tally tally) {
    VersionRef after = null;
    while (true) {
      List<StoredVersion> page = keys.scanVersions(ProtectionLevel.SOFTWARE, after, pageSize);
      for (StoredVersion s : page) {
        migrateVersion(s.ref(), s.version().material(), from, to, tally);
      }
      if (page.size() < pageSize) {
        return;
      }
      after = page.get(page.size() - 1).ref();
    }
  }

  private void migrateVersion(
      VersionRef ref, byte[] stored, RootKey from, RootKey to, Tally tally) {
    byte[] aad = ref.bindingAad(SoftwareKeyCustodian.MATERIAL_LABEL);
    byte[] current = stored;
    for (int attempt = 1; current != null; attempt++) {
      Outcome o;
      try {
        o = migrate(current, aad, from, to, (old, fresh) -> keys.replaceMaterial(ref, old, fresh));
      } catch (ItemFailed e) {
        tally.failed(Kind.SOFTWARE_VERSION, describe(ref), e.getMessage());
        return;
      }
      if (o != Outcome.CHANGED) {
        tally.count(Kind.SOFTWARE_VERSION, o);
        return;
      }
      if (attempt == ATTEMPTS) {
        tally.failed(Kind.SOFTWARE_VERSION, describe(ref), changedConcurrently());
        return;
      }
      // changed since it was read (another run, or a destroy): read it again
      current =
          keys.findById(ref.tenant(), ref.keyId())
              .flatMap(r -> r.version(ref.version()))
              .map(v -> v.material())
              .orElse(null);
    }
    // destroyed meanwhile: nothing left to migrate
  }

  private void migrateAuditKey(RootKey from, RootKey to, Tally tally) {
    String item = "setting '" + AUDIT_KEY_SETTING + "'";
    Optional<byte[]> stored = settings.get(AUDIT_KEY_SETTING);
    if (stored.isEmpty()) {
      tally.failed(
          Kind.AUDIT_KEY,
          item,
          "not found: this database holds no Strongroom deployment (check --data-dir or --db-url)");
      return;
    }
    byte[] current = stored.get();
    for (int attempt = 1; ; attempt++) {
      Outcome o;
      try {
        o =
            migrate(
                current,
                StrongroomServer.AUDIT_KEY_AAD,
                from,
                to,
                (old, fresh) -> settings.replace(AUDIT_KEY_SETTING, old, fresh));
      } catch (ItemFailed e) {
        tally.failed(Kind.AUDIT_KEY, item, e.getMessage());
        return;
      }
      if (o != Outcome.CHANGED) {
        tally.count(Kind.AUDIT_KEY, o);
        return;
      }
      if (attempt == ATTEMPTS) {
        tally.failed(Kind.AUDIT_KEY, item, changedConcurrently());
        return;
      }
      Optional<byte[]> again = settings.get(AUDIT_KEY_SETTING);
      if (again.isEmpty()) {
        tally.failed(Kind.AUDIT_KEY, item, "disappeared during the run");
        return;
      }
      current = again.get();
    }
  }

  private void migrateTlsKey(RootKey from, RootKey to, Tally tally) {
    if (tlsDir == null) {
      return;
    }
    Path file = EmbeddedTls.wrappedKeyFile(tlsDir);
    String item = "file " + file;
    byte[] aad = EmbeddedTls.keyAad();
    try {
      for (int attempt = 1; Files.exists(file); attempt++) {
        byte[] current = Files.readAllBytes(file);
        Outcome o;
        try {
          o = migrate(current, aad, from, to, (old, fresh) -> replaceFile(file, old, fresh));
        } catch (ItemFailed e) {
          tally.failed(Kind.TLS_KEY, item, e.getMessage());
          return;
        }
        if (o != Outcome.CHANGED) {
          tally.count(Kind.TLS_KEY, o);
          return;
        }
        if (attempt == ATTEMPTS) {
          tally.failed(Kind.TLS_KEY, item, changedConcurrently());
          return;
        }
      }
    } catch (IOException | UncheckedIOException e) {
      tally.failed(Kind.TLS_KEY, item, "cannot read or replace the file: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- one item

  private enum Outcome {
    MIGRATED,
    ALREADY_MIGRATED,
    /** The stored bytes changed since they were read; nothing was written. */
    CHANGED
  }

  /** Stores {@code fresh} in place of {@code old} if the item still holds {@code old}. */
  @FunctionalInterface
  private interface CompareAndSet {
    boolean replace(byte[] old, byte[] fresh);
  }

  /** An item that cannot be migrated; the message says why and holds no secret. */
  private static final class ItemFailed extends Exception {
    private static final long serialVersionUID = 1L;

    ItemFailed(String reason) {
      super(reason, null, false, false);
    }
  }

  private static Outcome migrate(
      byte[] stored, byte[] aad, RootKey from, RootKey to, CompareAndSet cas) throws ItemFailed {
    byte[] plaintext = unwrapOrNull(to, stored, aad);
    if (plaintext != null) {
      Arrays.fill(plaintext, (byte) 0);
      return Outcome.ALREADY_MIGRATED;
    }
    plaintext = unwrapOrNull(from, stored, aad);
    if (plaintext == null) {
      throw new ItemFailed("unwraps under neither the old nor the new root key");
    }
    byte[] fresh;
    try {
      fresh = to.wrap(plaintext, aad);
      byte[] check = to.unwrap(fresh, aad);
      boolean same = MessageDigest.isEqual(check, plaintext);
      Arrays.fill(check, (byte) 0);
      if (!same) {
        throw new ItemFailed("the new root key does not give back what it wrapped");
      }
    } catch (GeneralSecurityException e) {
      throw new ItemFailed("the new root key cannot wrap it: " + message(e));
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
    return cas.replace(stored, fresh) ? Outcome.MIGRATED : Outcome.CHANGED;
  }

  private static byte[] unwrapOrNull(RootKey root, byte[] wrapped, byte[] aad) {
    try {
      return root.unwrap(wrapped, aad);
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  /** True when {@code to} wraps something that {@code from} unwraps: one key under two names. */
  static boolean sameKey(RootKey from, RootKey to) {
    byte[] probe = new byte[32];
    new SecureRandom().nextBytes(probe);
    byte[] wrapped;
    try {
      wrapped = to.wrap(probe, PROBE_AAD);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the new root key cannot wrap: " + message(e), e);
    }
    byte[] back = unwrapOrNull(from, wrapped, PROBE_AAD);
    return back != null && MessageDigest.isEqual(back, probe);
  }

  /**
   * Replaces the content of {@code file} with {@code fresh} if it still holds {@code old}: a
   * temporary file (mode 0600) in the same directory is written and forced to disk, then renamed
   * over {@code file} atomically, so the file holds either the old or the new content, whole.
   */
  static boolean replaceFile(Path file, byte[] old, byte[] fresh) {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      tmp =
          Files.createTempFile(
              dir,
              file.getFileName() + ".",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(fresh);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      if (!Arrays.equals(Files.readAllBytes(file), old)) {
        return false;
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
      forceDirectory(dir);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // best effort: the temporary file holds only a wrapped key
        }
      }
    }
  }

  /** Makes a rename durable where the platform allows syncing a directory (Linux does). */
  private static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // not supported here: the rename is still atomic, just not yet forced to disk
    }
  }

  private String describe(VersionRef ref) {
    String name;
    try {
      name =
          keys.findById(ref.tenant(), ref.keyId())
              .map(r -> "'" + r.key().name() + "' (id " + ref.keyId() + ")")
              .orElse(ref.keyId());
    } catch (RuntimeException e) {
      name = ref.keyId();
    }
    return "tenant " + ref.tenant() + ", key " + name + ", version " + ref.version();
  }

  private static String changedConcurrently() {
    return "changed by someone else " + ATTEMPTS + " times during the run; run again";
  }

  private static String message(Exception e) {
    return Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
  }

  /** Counts and failures as the run goes. */
  private static final class Tally {
    private final Map<Kind, int[]> counts = new EnumMap<>(Kind.class);
    private final List<Failure> failures = new ArrayList<>();

    Tally() {
      for (Kind k : Kind.values()) {
        counts.put(k, new int[3]);
      }
    }

    void count(Kind kind, Outcome o) {
      counts.get(kind)[o == Outcome.MIGRATED ? 0 : 1]++;
    }

    void failed(Kind kind, String item, String reason) {
      counts.get(kind)[2]++;
      failures.add(new Failure(kind, item, reason));
    }

    Report report(String from, String to) {
      Map<Kind, Counts> out = new EnumMap<>(Kind.class);
      counts.forEach((k, c) -> out.put(k, new Counts(c[0], c[1], c[2])));
      return new Report(from, to, out, failures);
    }
  }

  // ---------------------------------------------------------------- command line

  /**
   * {@code strongroom-server --migrate-root-from-file OLD_ROOT_KEY_FILE}: migrates the deployment
   * that {@code cfg} names (its database and data directory) from the root key in {@code
   * oldRootFile} to the root key {@code cfg} configures, prints the report on {@code out} and
   * returns the exit code. Serves nothing. Needs only the old root key to read the audit key, which
   * it migrates like every other item.
   *
   * @return 0 when every stored secret is wrapped by the configured root key; 1 when an item failed
   *     or the migration could not run or stopped; 2 for a usage error
   */
  static int runFromFile(ServerConfig cfg, Path oldRootFile, PrintStream out, PrintStream err) {
    if (cfg.issueAdminToken()) {
      err.println("error: --migrate-root-from-file does not go with --issue-admin-token");
      return 2;
    }
    RootKey from;
    try {
      from = LocalFileRootKey.load(oldRootFile);
    } catch (NoSuchFileException e) {
      err.println("error: the old root key file " + oldRootFile + " does not exist");
      return 1;
    } catch (IOException | GeneralSecurityException e) {
      err.println("error: cannot read the old root key file: " + message(e));
      return 1;
    }
    if (cfg.embeddedDatabase() && !Files.isDirectory(cfg.dataDir())) {
      err.println(
          "error: the data directory "
              + cfg.dataDir()
              + " does not exist, so it holds no embedded deployment (check --data-dir)");
      return 1;
    }
    RootKey to;
    try {
      to = StrongroomServer.rootKey(cfg);
    } catch (IOException
        | GeneralSecurityException
        | io.strongroom.hsm.Pkcs11Exception
        | RuntimeException e) {
      err.println("error: cannot open the configured root key: " + message(e));
      return 1;
    }
    try {
      if (sameKey(from, to)) {
        err.println(
            "error: "
                + oldRootFile
                + " holds the configured root key itself; configure the new root key with the"
                + " --root-key options (e.g. --root-key-file NEW_FILE)");
        return 2;
      }
    } catch (RuntimeException e) {
      err.println("error: " + message(e));
      return 1;
    }
    Database db;
    try {
      db = Database.open(cfg.jdbcUrl(), cfg.dbUser(), cfg.dbPassword(), 2);
    } catch (RuntimeException e) {
      err.println(
          "error: cannot open the database (is a server still running on it?): " + message(e));
      return 1;
    }
    try (db) {
      Report report =
          new RootMigration(
                  new JdbcKeyStore(db), JdbcStores.settings(db), cfg.dataDir().resolve("tls"))
              .run(from, to);
      out.print(report.format());
      out.flush();
      return report.complete() ? 0 : 1;
    } catch (RuntimeException e) {
      err.println(
          "error: the migration stopped: "
              + message(e)
              + ". Every item is still valid under one of the two root keys: run it again.");
      return 1;
    }
  }
}
