package io.strongroom.server;

import static io.strongroom.server.testing.TestServer.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.custody.LocalFileRootKey;
import io.strongroom.core.custody.RootKey;
import io.strongroom.core.custody.SoftwareKeyCustodian;
import io.strongroom.core.custody.VersionRef;
import io.strongroom.core.store.KeyStore.StoredVersion;
import io.strongroom.server.RootMigration.Counts;
import io.strongroom.server.RootMigration.Kind;
import io.strongroom.server.RootMigration.Report;
import io.strongroom.server.config.ServerConfig;
import io.strongroom.server.store.Database;
import io.strongroom.server.store.JdbcKeyStore;
import io.strongroom.server.store.JdbcStores;
import io.strongroom.server.testing.TestServer;
import io.strongroom.server.testing.TestServer.Response;
import io.strongroom.server.tls.EmbeddedTls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Moving a deployment from one root key to another ({@link RootMigration}), end to end: a real
 * server makes tenants, keys, versions in several states and ciphertexts over HTTPS under root key
 * A; the migration moves everything to root key B; a server started with B alone then decrypts
 * every old blob and verifies the audit chain. Runs on H2 ({@link RootMigrationH2Test}) and
 * PostgreSQL ({@link RootMigrationPostgresTest}).
 */
abstract class RootMigrationContract {
  /** SOFTWARE versions the deployment has: 2 tenants x 2 keys x 3 versions. */
  private static final int VERSIONS = 12;

  /** Small pages, so that the scan pages several times. */
  private static final int PAGE_SIZE = 5;

  private static final List<String> TENANTS = List.of("acme", "globex");
  private static final List<String> KEYS = List.of("orders", "payments");

  @TempDir Path dir;
  private Path data;
  private Path rootFileA;
  private Path rootFileB;
  private RootKey rootA;
  private RootKey rootB;
  private final Map<String, String> tokens = new LinkedHashMap<>();

  /** One ciphertext made before the migration, with what decrypts it. */
  private record Blob(
      String tenant, String key, int version, String ciphertext, Map<String, String> context) {
    String plaintext() {
      return b64(tenant + "/" + key + "/v" + version);
    }
  }

  /** Points a configuration at this suite's database (a fresh one per test). */
  abstract ServerConfig onDatabase(ServerConfig c);

  @BeforeEach
  void roots() throws Exception {
    data = dir.resolve("data");
    rootFileA = dir.resolve("root-a.key");
    rootFileB = dir.resolve("root-b.key");
    rootA = LocalFileRootKey.loadOrCreate(rootFileA);
    rootB = LocalFileRootKey.loadOrCreate(rootFileB);
  }

  // ---------------------------------------------------------------- tests

  @Test
  void migratesEverythingAndTheNewRootAloneServesEveryOldBlob() throws Exception {
    List<Blob> blobs = givenDeploymentUnder(rootFileA);

    Report report = migrate(rootA, rootB);

    assertThat(report.complete()).as(report.format()).isTrue();
    assertThat(report.failures()).isEmpty();
    assertThat(report.counts(Kind.SOFTWARE_VERSION)).isEqualTo(new Counts(VERSIONS, 0, 0));
    assertThat(report.counts(Kind.AUDIT_KEY)).isEqualTo(new Counts(1, 0, 0));
    assertThat(report.counts(Kind.TLS_KEY)).isEqualTo(new Counts(1, 0, 0));
    assertThat(report.from()).isEqualTo(rootA.describe());
    assertThat(report.to()).isEqualTo(rootB.describe());
    assertThat(report.format())
        .contains("SOFTWARE key versions:    12 migrated, 0 already migrated, 0 failed")
        .contains("COMPLETE");
    Map<String, String> where = whereEachItemUnwraps();
    assertThat(where.values()).hasSize(VERSIONS + 2).containsOnly("B");
    Path tlsKey = EmbeddedTls.wrappedKeyFile(data.resolve("tls"));
    assertThat(Files.getPosixFilePermissions(tlsKey))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (var files = Files.list(data.resolve("tls"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("ca.pem", "server.pem", "server.key.wrapped");
    }

    // the new root alone: every old blob decrypts, the audit chain verifies, new work works
    try (TestServer s = start(rootFileB)) {
      assertThat(restoreAndDecrypt(s, blobs)).isEmpty();
      Response verify = s.post("/v1/audit/verify", s.adminToken(), null);
      assertThat(verify.status()).as("%s", verify).isEqualTo(200);
      assertThat(verify.json().path("ok").asBoolean()).as("%s", verify).isTrue();
      Response rotated = s.post("/v1/tenants/acme/keys/orders/rotate", tokens.get("acme"), null);
      assertThat(rotated.status()).as("%s", rotated).isEqualTo(200);
      Blob fresh = encrypt(s, "acme", "orders", 4);
      assertThat(decrypt(s, fresh).status()).isEqualTo(200);
    }
    // the old root alone no longer opens the deployment
    assertThatThrownBy(() -> start(rootFileA).close()).isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void runningAgainChangesNothingAndReportsEverythingAlreadyMigrated() throws Exception {
    givenDeploymentUnder(rootFileA);
    assertThat(migrate(rootA, rootB).complete()).isTrue();
    Map<String, byte[]> before = storedSecrets();

    Report again = migrate(rootA, rootB);

    assertThat(again.complete()).as(again.format()).isTrue();
    assertThat(again.counts(Kind.SOFTWARE_VERSION)).isEqualTo(new Counts(0, VERSIONS, 0));
    assertThat(again.counts(Kind.AUDIT_KEY)).isEqualTo(new Counts(0, 1, 0));
    assertThat(again.counts(Kind.TLS_KEY)).isEqualTo(new Counts(0, 1, 0));
    Map<String, byte[]> after = storedSecrets();
    assertThat(after.keySet()).isEqualTo(before.keySet());
    before.forEach((item, bytes) -> assertThat(after.get(item)).as(item).isEqualTo(bytes));
  }

  /**
   * A run that dies after some wraps (the probe that compares the two keys is the first wrap):
   * mid-way through the versions, after the versions, after the audit key.
   */
  @ParameterizedTest(name = "dies after {0} wraps")
  @ValueSource(ints = {4, 1 + VERSIONS, 2 + VERSIONS})
  void anInterruptedRunLosesNothingAndASecondRunFinishes(int wraps) throws Exception {
    List<Blob> blobs = givenDeploymentUnder(rootFileA);
    Map<String, String> before = whereEachItemUnwraps();
    assertThat(before.values()).containsOnly("A").hasSize(VERSIONS + 2);

    assertThatThrownBy(() -> migrate(rootA, new CrashingRootKey(rootB, wraps)))
        .isInstanceOf(Crash.class);

    // every item is valid under exactly one of the roots, and each root has some
    Map<String, String> where = whereEachItemUnwraps();
    assertThat(where).hasSize(VERSIONS + 2);
    assertThat(where.values()).containsOnly("A", "B");
    assertThat(where.values()).filteredOn("B"::equals).hasSize(wraps - 1);
    // neither root alone serves the whole deployment
    assertThat(fullyUsable(rootFileA, blobs)).isFalse();
    assertThat(fullyUsable(rootFileB, blobs)).isFalse();

    Report second = migrate(rootA, rootB);

    assertThat(second.complete()).as(second.format()).isTrue();
    int total = VERSIONS + 2;
    int done = wraps - 1;
    assertThat(
            second.counts(Kind.SOFTWARE_VERSION).migrated()
                + second.counts(Kind.AUDIT_KEY).migrated()
                + second.counts(Kind.TLS_KEY).migrated())
        .isEqualTo(total - done);
    assertThat(
            second.counts(Kind.SOFTWARE_VERSION).alreadyMigrated()
                + second.counts(Kind.AUDIT_KEY).alreadyMigrated()
                + second.counts(Kind.TLS_KEY).alreadyMigrated())
        .isEqualTo(done);
    assertThat(whereEachItemUnwraps().values()).containsOnly("B");
    try (TestServer s = start(rootFileB)) {
      assertThat(restoreAndDecrypt(s, blobs)).isEmpty();
      Response verify = s.post("/v1/audit/verify", s.adminToken(), null);
      assertThat(verify.json().path("ok").asBoolean()).as("%s", verify).isTrue();
    }
  }

  @Test
  void aCorruptedItemIsReportedByReferenceAndTheRestMigrate() throws Exception {
    List<Blob> blobs = givenDeploymentUnder(rootFileA);
    StoredVersion victim = versionOf("globex", "payments", 2);
    byte[] corrupted = victim.version().material();
    corrupted[corrupted.length - 1] ^= 1;
    checkStores(
        (keys, settings) ->
            assertThat(keys.replaceMaterial(victim.ref(), victim.version().material(), corrupted))
                .isTrue());

    Report report = migrate(rootA, rootB);

    assertThat(report.complete()).isFalse();
    assertThat(report.counts(Kind.SOFTWARE_VERSION)).isEqualTo(new Counts(VERSIONS - 1, 0, 1));
    assertThat(report.counts(Kind.AUDIT_KEY)).isEqualTo(new Counts(1, 0, 0));
    assertThat(report.counts(Kind.TLS_KEY)).isEqualTo(new Counts(1, 0, 0));
    assertThat(report.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(Kind.SOFTWARE_VERSION);
              assertThat(f.item())
                  .isEqualTo(
                      "tenant globex, key 'payments' (id " + victim.ref().keyId() + "), version 2");
              assertThat(f.reason()).contains("neither");
            });
    assertNoMaterialIn(report.format(), corrupted, victim.version().material());
    assertThat(report.format()).contains("INCOMPLETE").contains("FAILED");

    // the others moved: the new root serves every blob but the corrupted version's
    try (TestServer s = start(rootFileB)) {
      assertThat(restoreAndDecrypt(s, blobs))
          .singleElement()
          .satisfies(
              b ->
                  assertThat(b.tenant() + "/" + b.key() + "/" + b.version())
                      .isEqualTo("globex/payments/2"));
    }
    Report again = migrate(rootA, rootB);
    assertThat(again.counts(Kind.SOFTWARE_VERSION)).isEqualTo(new Counts(0, VERSIONS - 1, 1));
    assertThat(again.complete()).isFalse();
  }

  @Test
  void refusesToMoveToTheSameKey() throws Exception {
    givenDeploymentUnder(rootFileA);
    Path copy = dir.resolve("copy-of-a.key");
    Files.copy(rootFileA, copy);
    Map<String, byte[]> before = storedSecrets();

    assertThatThrownBy(() -> migrate(rootA, rootA))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same key");
    assertThatThrownBy(() -> migrate(rootA, LocalFileRootKey.load(copy)))
        .isInstanceOf(IllegalArgumentException.class);
    Map<String, byte[]> after = storedSecrets();
    before.forEach((item, bytes) -> assertThat(after.get(item)).as(item).isEqualTo(bytes));
  }

  // ---------------------------------------------------------------- the deployment

  /**
   * A deployment under {@code rootFile}: tenants acme and globex, each with an app principal and
   * keys orders and payments of three versions, one blob per version; then acme/orders version 1 is
   * disabled and globex/payments version 1 scheduled for destruction (both keep their material).
   */
  private List<Blob> givenDeploymentUnder(Path rootFile) throws Exception {
    List<Blob> blobs = new ArrayList<>();
    try (TestServer s = start(rootFile)) {
      for (String tenant : TENANTS) {
        s.createTenant(tenant);
        tokens.put(tenant, s.createPrincipal(tenant, "app", "key-admin", "key-user"));
        for (String key : KEYS) {
          s.createKey(tenant, tokens.get(tenant), key);
          for (int v = 1; v <= 3; v++) {
            if (v > 1) {
              Response r = s.post(keyPath(tenant, key) + "/rotate", tokens.get(tenant), null);
              assertThat(r.status()).as("%s", r).isEqualTo(200);
            }
            Blob b = encrypt(s, tenant, key, v);
            assertThat(decrypt(s, b).status()).isEqualTo(200);
            blobs.add(b);
          }
        }
      }
      Response disabled =
          s.post(keyPath("acme", "orders") + "/versions/1/disable", tokens.get("acme"), null);
      assertThat(disabled.status()).as("%s", disabled).isEqualTo(200);
      Response scheduled =
          s.post(
              keyPath("globex", "payments") + "/versions/1/schedule-destroy",
              tokens.get("globex"),
              obj("pendingDays", 7));
      assertThat(scheduled.status()).as("%s", scheduled).isEqualTo(200);
    }
    return blobs;
  }

  private static String keyPath(String tenant, String key) {
    return "/v1/tenants/" + tenant + "/keys/" + key;
  }

  private Blob encrypt(TestServer s, String tenant, String key, int version) {
    Map<String, String> context = Map.of("item", tenant + "-" + key + "-" + version);
    Blob unsent = new Blob(tenant, key, version, null, context);
    Response r =
        s.post(
            keyPath(tenant, key) + "/encrypt",
            tokens.get(tenant),
            obj("plaintext", unsent.plaintext(), "context", context));
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.json().path("keyVersion").asInt()).isEqualTo(version);
    return new Blob(tenant, key, version, r.json().path("ciphertext").asText(), context);
  }

  private Response decrypt(TestServer s, Blob b) {
    Response r =
        s.post(
            "/v1/tenants/" + b.tenant() + "/decrypt",
            tokens.get(b.tenant()),
            obj("ciphertext", b.ciphertext(), "context", b.context()));
    if (r.status() == 200) {
      assertThat(r.json().path("plaintext").asText()).isEqualTo(b.plaintext());
      assertThat(r.json().path("keyVersion").asInt()).isEqualTo(b.version());
    }
    return r;
  }

  /**
   * Makes every version usable again (enables disabled ones, cancels scheduled destruction) and
   * decrypts every blob; answers the blobs that did not decrypt.
   */
  private List<Blob> restoreAndDecrypt(TestServer s, List<Blob> blobs) {
    List<Blob> failed = new ArrayList<>();
    for (Blob b : blobs) {
      String v = keyPath(b.tenant(), b.key()) + "/versions/" + b.version();
      String token = tokens.get(b.tenant());
      String state = s.get(v, token).json().path("state").asText();
      if (state.equals("DESTROY_SCHEDULED")) {
        assertThat(s.post(v + "/cancel-destroy", token, null).status()).isEqualTo(200);
        state = "DISABLED";
      }
      if (state.equals("DISABLED")) {
        assertThat(s.post(v + "/enable", token, null).status()).isEqualTo(200);
      }
      Response r = decrypt(s, b);
      if (r.status() != 200) {
        assertThat(r.status()).as("%s", r).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("INVALID_CIPHERTEXT");
        failed.add(b);
      }
    }
    return failed;
  }

  /** True when a server with {@code rootFile} alone starts and decrypts every blob. */
  private boolean fullyUsable(Path rootFile, List<Blob> blobs) {
    TestServer s;
    try {
      s = start(rootFile);
    } catch (Exception e) {
      return false;
    }
    try (s) {
      return restoreAndDecrypt(s, blobs).isEmpty();
    }
  }

  private TestServer start(Path rootFile) throws Exception {
    return TestServer.startIn(
        data, c -> withIssueAdminToken(TestServer.withRootKeyFile(onDatabase(c), rootFile)));
  }

  // ---------------------------------------------------------------- the stores

  private Report migrate(RootKey from, RootKey to) {
    return withStores(
        (keys, settings) ->
            new RootMigration(keys, settings, data.resolve("tls"), PAGE_SIZE).run(from, to));
  }

  private interface StoreWork<T> {
    T run(JdbcKeyStore keys, io.strongroom.core.store.SettingStore settings);
  }

  private interface StoreCheck {
    void run(JdbcKeyStore keys, io.strongroom.core.store.SettingStore settings);
  }

  private <T> T withStores(StoreWork<T> work) {
    ServerConfig c = onDatabase(ServerConfig.defaults(data, 0));
    try (Database db = Database.open(c.jdbcUrl(), c.dbUser(), c.dbPassword(), 2)) {
      return work.run(new JdbcKeyStore(db), JdbcStores.settings(db));
    }
  }

  private void checkStores(StoreCheck check) {
    withStores(
        (keys, settings) -> {
          check.run(keys, settings);
          return null;
        });
  }

  private StoredVersion versionOf(String tenant, String key, int version) {
    return withStores(
        (keys, settings) -> {
          String id = keys.findByName(tenant, key).orElseThrow().key().id();
          return keys.scanVersions(ProtectionLevel.SOFTWARE, null, 1000).stream()
              .filter(s -> s.ref().equals(new VersionRef(tenant, id, version)))
              .findFirst()
              .orElseThrow();
        });
  }

  /** Every stored secret's bytes: each SOFTWARE version, the audit key and the TLS key file. */
  private Map<String, byte[]> storedSecrets() throws Exception {
    Map<String, byte[]> out = new LinkedHashMap<>();
    checkStores(
        (keys, settings) -> {
          for (StoredVersion s : keys.scanVersions(ProtectionLevel.SOFTWARE, null, 1000)) {
            out.put(s.ref().toString(), s.version().material());
          }
          out.put("audit-key", settings.get(RootMigration.AUDIT_KEY_SETTING).orElseThrow());
        });
    out.put("tls", Files.readAllBytes(EmbeddedTls.wrappedKeyFile(data.resolve("tls"))));
    return out;
  }

  /** For every stored secret, which root key unwraps it: "A", "B", "both" or "none". */
  private Map<String, String> whereEachItemUnwraps() throws Exception {
    Map<String, byte[]> aads = new LinkedHashMap<>();
    Map<String, byte[]> stored = new LinkedHashMap<>();
    checkStores(
        (keys, settings) -> {
          for (StoredVersion s : keys.scanVersions(ProtectionLevel.SOFTWARE, null, 1000)) {
            stored.put(s.ref().toString(), s.version().material());
            aads.put(s.ref().toString(), s.ref().bindingAad(SoftwareKeyCustodian.MATERIAL_LABEL));
          }
          stored.put("audit-key", settings.get(RootMigration.AUDIT_KEY_SETTING).orElseThrow());
          aads.put("audit-key", StrongroomServer.AUDIT_KEY_AAD);
        });
    stored.put("tls", Files.readAllBytes(EmbeddedTls.wrappedKeyFile(data.resolve("tls"))));
    aads.put("tls", EmbeddedTls.keyAad());
    Map<String, String> where = new LinkedHashMap<>();
    Function<RootKey, Function<String, Boolean>> opens =
        root ->
            item -> {
              try {
                root.unwrap(stored.get(item), aads.get(item));
                return true;
              } catch (GeneralSecurityException e) {
                return false;
              }
            };
    for (String item : stored.keySet()) {
      boolean a = opens.apply(rootA).apply(item);
      boolean b = opens.apply(rootB).apply(item);
      where.put(item, a && b ? "both" : a ? "A" : b ? "B" : "none");
    }
    return where;
  }

  private static void assertNoMaterialIn(String text, byte[]... materials) {
    for (byte[] m : materials) {
      assertThat(text)
          .doesNotContain(HexFormat.of().formatHex(m).substring(0, 16))
          .doesNotContain(Base64.getEncoder().encodeToString(m).substring(0, 16));
    }
  }

  private static ServerConfig withIssueAdminToken(ServerConfig c) {
    ServerConfig.Builder b = c.toBuilder();
    b.issueAdminToken = true;
    return b.build();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- a root key that dies

  /** Thrown by {@link CrashingRootKey}: stands for the process dying at that point. */
  static final class Crash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Crash() {
      super("simulated crash");
    }
  }

  /** Wraps with {@code inner} {@code wraps} times, then dies on the next wrap. */
  static final class CrashingRootKey implements RootKey {
    private final RootKey inner;
    private int left;

    CrashingRootKey(RootKey inner, int wraps) {
      this.inner = inner;
      this.left = wraps;
    }

    @Override
    public String describe() {
      return inner.describe();
    }

    @Override
    public byte[] wrap(byte[] plaintext, byte[] aad) throws GeneralSecurityException {
      if (left-- <= 0) {
        throw new Crash();
      }
      return inner.wrap(plaintext, aad);
    }

    @Override
    public byte[] unwrap(byte[] wrapped, byte[] aad) throws GeneralSecurityException {
      return inner.unwrap(wrapped, aad);
    }
  }
}
