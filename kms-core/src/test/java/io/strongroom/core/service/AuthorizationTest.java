package io.strongroom.core.service;

import static io.strongroom.core.testing.KmsAssertions.assertCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.strongroom.core.Caller;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.KeyPatch;
import io.strongroom.core.KmsException;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.Role;
import io.strongroom.core.Tenant;
import io.strongroom.core.custody.LocalFileRootKey;
import io.strongroom.core.service.IdentityService.IssuedToken;
import io.strongroom.core.testing.KmsFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may do what: every role against every operation of the use cases, tenant isolation (a foreign
 * key is indistinguishable from a missing one), grants, and token authentication.
 */
class AuthorizationTest {
  private static final OptionalLong ANY = OptionalLong.empty();
  private static final Map<String, String> CTX = Map.of("purpose", "authz");
  private static final Caller PLATFORM_ADMIN =
      KmsFixture.caller(Tenant.SYSTEM, "admin", Role.PLATFORM_ADMIN);
  private static final Set<Role> READERS =
      EnumSet.of(Role.KEY_ADMIN, Role.KEY_USER, Role.TENANT_ADMIN, Role.AUDITOR);
  private static final Set<Role> KEY_ADMIN = EnumSet.of(Role.KEY_ADMIN);
  private static final Set<Role> KEY_USER = EnumSet.of(Role.KEY_USER);
  private static final Set<Role> ADMINS = EnumSet.of(Role.TENANT_ADMIN, Role.PLATFORM_ADMIN);

  @TempDir static Path dir;
  private static LocalFileRootKey root;

  @BeforeAll
  static void rootKey() throws Exception {
    root = LocalFileRootKey.loadOrCreate(dir.resolve("root.key"));
  }

  /**
   * Tenant acme with key "payments" (versions 1–3, version 2 scheduled for destruction), key
   * "doomed" (scheduled for destruction), a blob, and principal alice with a token; tenant globex
   * with its own key "payments".
   */
  private static final class World {
    final KmsFixture kms = KmsFixture.create(root);
    final byte[] blob;
    final String aliceTokenId;

    World(boolean acmeHasKeys) {
      kms.identity().bootstrap(false, null);
      kms.identity().createTenant(PLATFORM_ADMIN, "acme", "Acme");
      kms.identity().createTenant(PLATFORM_ADMIN, "globex", "Globex");
      aliceTokenId =
          kms.identity()
              .createPrincipal(PLATFORM_ADMIN, "acme", "alice", Set.of(Role.KEY_USER), null)
              .record()
              .id();
      Caller admin = KmsFixture.caller("globex", "admin", Role.KEY_ADMIN);
      kms.keys().create(admin, "globex", soft("payments"));
      if (!acmeHasKeys) {
        blob = null;
        return;
      }
      Caller acme = KmsFixture.caller("acme", "setup", Role.KEY_ADMIN, Role.KEY_USER);
      kms.keys().create(acme, "acme", soft("payments"));
      blob = kms.crypto().encrypt(acme, "acme", "payments", new byte[] {1, 2, 3}, CTX).ciphertext();
      kms.keys().rotate(acme, "acme", "payments", ANY);
      kms.keys().rotate(acme, "acme", "payments", ANY);
      kms.keys().scheduleDestroyVersion(acme, "acme", "payments", 2, ANY, 7);
      kms.keys().create(acme, "acme", soft("doomed"));
      kms.keys().scheduleDestroy(acme, "acme", "doomed", ANY, 7);
      kms.stores()
          .audit()
          .append(
              List.of(
                  new io.strongroom.core.audit.AuditEvent(
                      kms.clock().instant(),
                      "r1",
                      "acme",
                      "acme/setup",
                      "encrypt",
                      "payments",
                      1,
                      CTX,
                      "OK",
                      null,
                      "127.0.0.1")))
          .join();
    }
  }

  /** One operation, the roles that may run it in their own tenant, and how to run it. */
  private record Op(String name, Set<Role> allowed, BiConsumer<World, Caller> run) {}

  private static List<Op> operations() {
    List<Op> ops = new ArrayList<>();
    // key management
    ops.add(
        new Op("create-key", KEY_ADMIN, (w, c) -> w.kms.keys().create(c, "acme", soft("fresh"))));
    ops.add(new Op("get-key", READERS, (w, c) -> w.kms.keys().get(c, "acme", "payments")));
    ops.add(new Op("list-keys", READERS, (w, c) -> w.kms.keys().list(c, "acme", 10, null)));
    ops.add(
        new Op(
            "get-version", READERS, (w, c) -> w.kms.keys().getVersion(c, "acme", "payments", 1)));
    ops.add(
        new Op(
            "update-key",
            KEY_ADMIN,
            (w, c) ->
                w.kms
                    .keys()
                    .update(
                        c,
                        "acme",
                        "payments",
                        ANY,
                        new KeyPatch(null, false, "d", null, null, null))));
    ops.add(
        new Op("enable-key", KEY_ADMIN, (w, c) -> w.kms.keys().enable(c, "acme", "payments", ANY)));
    ops.add(
        new Op(
            "disable-key", KEY_ADMIN, (w, c) -> w.kms.keys().disable(c, "acme", "payments", ANY)));
    ops.add(
        new Op("rotate-key", KEY_ADMIN, (w, c) -> w.kms.keys().rotate(c, "acme", "payments", ANY)));
    ops.add(
        new Op(
            "schedule-destroy-key",
            KEY_ADMIN,
            (w, c) -> w.kms.keys().scheduleDestroy(c, "acme", "payments", ANY, 7)));
    ops.add(
        new Op(
            "cancel-destroy-key",
            KEY_ADMIN,
            (w, c) -> w.kms.keys().cancelDestroy(c, "acme", "doomed", ANY)));
    ops.add(
        new Op(
            "enable-version",
            KEY_ADMIN,
            (w, c) -> w.kms.keys().enableVersion(c, "acme", "payments", 1, ANY)));
    ops.add(
        new Op(
            "disable-version",
            KEY_ADMIN,
            (w, c) -> w.kms.keys().disableVersion(c, "acme", "payments", 1, ANY)));
    ops.add(
        new Op(
            "make-primary",
            KEY_ADMIN,
            (w, c) -> w.kms.keys().makePrimary(c, "acme", "payments", 1, ANY)));
    ops.add(
        new Op(
            "schedule-destroy-version",
            KEY_ADMIN,
            (w, c) -> w.kms.keys().scheduleDestroyVersion(c, "acme", "payments", 1, ANY, 7)));
    ops.add(
        new Op(
            "cancel-destroy-version",
            KEY_ADMIN,
            (w, c) -> w.kms.keys().cancelDestroyVersion(c, "acme", "payments", 2, ANY)));
    // cryptography
    ops.add(
        new Op(
            "encrypt",
            KEY_USER,
            (w, c) -> w.kms.crypto().encrypt(c, "acme", "payments", new byte[] {9}, CTX)));
    ops.add(
        new Op(
            "generate-data-key",
            KEY_USER,
            (w, c) -> w.kms.crypto().generateDataKey(c, "acme", "payments", 32, CTX, true)));
    ops.add(new Op("decrypt", KEY_USER, (w, c) -> w.kms.crypto().decrypt(c, "acme", w.blob, CTX)));
    ops.add(
        new Op(
            "re-encrypt",
            KEY_USER,
            (w, c) -> w.kms.crypto().reEncrypt(c, "acme", w.blob, CTX, null, null)));
    ops.add(
        new Op(
            "batch",
            KEY_USER,
            (w, c) ->
                assertThat(
                        w.kms
                            .crypto()
                            .batch(c, "acme", List.of(new BatchItem.Decrypt(w.blob, CTX))))
                    .allSatisfy(o -> assertThat(o.error()).isNull())));
    // identity
    ops.add(
        new Op(
            "create-tenant",
            EnumSet.of(Role.PLATFORM_ADMIN),
            (w, c) -> w.kms.identity().createTenant(c, "newco", null)));
    ops.add(
        new Op(
            "list-tenants",
            EnumSet.of(Role.PLATFORM_ADMIN),
            (w, c) -> w.kms.identity().listTenants(c, null, null)));
    ops.add(
        new Op(
            "create-principal",
            ADMINS,
            (w, c) ->
                w.kms.identity().createPrincipal(c, "acme", "bob", Set.of(Role.KEY_USER), null)));
    ops.add(
        new Op(
            "issue-token",
            ADMINS,
            (w, c) -> w.kms.identity().issueToken(c, "acme", "alice", Duration.ofHours(1), "ci")));
    ops.add(
        new Op(
            "revoke-token",
            ADMINS,
            (w, c) -> w.kms.identity().revokeToken(c, "acme", "alice", w.aliceTokenId)));
    // audit
    ops.add(
        new Op(
            "list-audit",
            EnumSet.of(Role.AUDITOR, Role.TENANT_ADMIN, Role.PLATFORM_ADMIN),
            (w, c) -> assertThat(w.kms.audit().list(c, "acme", 10, null).items()).hasSize(1)));
    ops.add(
        new Op(
            "verify-audit",
            EnumSet.of(Role.PLATFORM_ADMIN),
            (w, c) -> assertThat(w.kms.audit().verify(c).ok()).isTrue()));
    return ops;
  }

  @TestFactory
  Stream<DynamicTest> everyRoleAgainstEveryOperation() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : operations()) {
      for (Role role : Role.values()) {
        tests.add(
            DynamicTest.dynamicTest(op.name() + " as " + role.wireName(), () -> check(op, role)));
      }
      tests.add(DynamicTest.dynamicTest(op.name() + " without roles", () -> check(op, null)));
    }
    return tests.stream();
  }

  private static void check(Op op, Role role) {
    World w = new World(true);
    Caller c =
        role == null
            ? KmsFixture.caller("acme", "caller")
            : KmsFixture.caller("acme", "caller", role);
    if (role != null && op.allowed().contains(role)) {
      assertThatCode(() -> op.run().accept(w, c)).doesNotThrowAnyException();
    } else {
      KmsException e = assertCode(() -> op.run().accept(w, c), ErrorCode.PERMISSION_DENIED);
      assertThat(e.getMessage()).contains("needs one of the roles");
    }
  }

  /** Operations that name a key of the tenant. */
  private static final Set<String> KEY_NAMING =
      Set.of(
          "get-key",
          "get-version",
          "update-key",
          "enable-key",
          "disable-key",
          "rotate-key",
          "schedule-destroy-key",
          "cancel-destroy-key",
          "enable-version",
          "disable-version",
          "make-primary",
          "schedule-destroy-version",
          "cancel-destroy-version",
          "encrypt",
          "generate-data-key");

  @TestFactory
  Stream<DynamicTest> foreignTenantIsIndistinguishableFromAMissingResource() {
    Set<String> globalOps = Set.of("create-tenant", "list-tenants", "verify-audit");
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : operations()) {
      if (globalOps.contains(op.name())) {
        continue;
      }
      tests.add(
          DynamicTest.dynamicTest(
              op.name(),
              () -> {
                // globex's principal, holding every role but platform-admin, on acme's resources
                Caller foreign =
                    KmsFixture.caller(
                        "globex",
                        "intruder",
                        Role.TENANT_ADMIN,
                        Role.KEY_ADMIN,
                        Role.KEY_USER,
                        Role.AUDITOR);
                World world = new World(true);
                String onExisting =
                    assertCode(() -> op.run().accept(world, foreign), ErrorCode.NOT_FOUND)
                        .getMessage();
                // the same caller without any role learns nothing more
                String withoutRoles =
                    assertCode(
                            () -> op.run().accept(world, KmsFixture.caller("globex", "x")),
                            ErrorCode.NOT_FOUND)
                        .getMessage();
                assertThat(withoutRoles).isEqualTo(onExisting);
                assertThat(onExisting).doesNotContain("globex");
                if (KEY_NAMING.contains(op.name())) {
                  // acme's own principal, in a world where acme has no such key
                  Caller own =
                      KmsFixture.caller(
                          "acme", "owner", Role.KEY_ADMIN, Role.KEY_USER, Role.TENANT_ADMIN);
                  String onMissing =
                      assertCode(() -> op.run().accept(new World(false), own), ErrorCode.NOT_FOUND)
                          .getMessage();
                  assertThat(onExisting).isEqualTo(onMissing);
                }
              }));
    }
    return tests.stream();
  }

  @Test
  void foreignKeyMessageEqualsMissingKeyMessage() {
    World w = new World(true);
    Caller foreign = KmsFixture.caller("globex", "app", Role.KEY_USER, Role.KEY_ADMIN);
    Caller own = KmsFixture.caller("acme", "app", Role.KEY_USER, Role.KEY_ADMIN);
    String existing =
        assertCode(() -> w.kms.keys().get(foreign, "acme", "payments"), ErrorCode.NOT_FOUND)
            .getMessage();
    String missingForeign =
        assertCode(() -> w.kms.keys().get(foreign, "acme", "nope"), ErrorCode.NOT_FOUND)
            .getMessage();
    String missingOwn =
        assertCode(() -> w.kms.keys().get(own, "acme", "nope"), ErrorCode.NOT_FOUND).getMessage();
    assertThat(missingForeign).isEqualTo(missingOwn);
    assertThat(existing).isEqualTo(missingOwn.replace("nope", "payments"));

    String encryptExisting =
        assertCode(
                () -> w.kms.crypto().encrypt(foreign, "acme", "payments", new byte[1], CTX),
                ErrorCode.NOT_FOUND)
            .getMessage();
    String encryptMissing =
        assertCode(
                () -> w.kms.crypto().encrypt(own, "acme", "payments-x", new byte[1], CTX),
                ErrorCode.NOT_FOUND)
            .getMessage();
    assertThat(encryptExisting).isEqualTo(encryptMissing.replace("payments-x", "payments"));
  }

  @Test
  void tenantLevelOperationsOnAForeignTenantLookLikeAMissingTenant() {
    World w = new World(true);
    Caller foreign =
        KmsFixture.caller(
            "globex", "app", Role.KEY_USER, Role.KEY_ADMIN, Role.TENANT_ADMIN, Role.AUDITOR);
    String existing =
        assertCode(() -> w.kms.crypto().decrypt(foreign, "acme", w.blob, CTX), ErrorCode.NOT_FOUND)
            .getMessage();
    String missing =
        assertCode(
                () -> w.kms.crypto().decrypt(foreign, "initech", w.blob, CTX), ErrorCode.NOT_FOUND)
            .getMessage();
    assertThat(existing).isEqualTo(missing.replace("initech", "acme"));
    // a platform admin asking for a tenant that does not exist gets the same message
    String platform =
        assertCode(
                () ->
                    w.kms
                        .identity()
                        .createPrincipal(
                            PLATFORM_ADMIN, "initech", "bob", Set.of(Role.KEY_USER), null),
                ErrorCode.NOT_FOUND)
            .getMessage();
    assertThat(platform).isEqualTo(missing);
    for (String listed :
        List.of(
            assertCode(() -> w.kms.keys().list(foreign, "acme", null, null), ErrorCode.NOT_FOUND)
                .getMessage(),
            assertCode(() -> w.kms.audit().list(foreign, "acme", null, null), ErrorCode.NOT_FOUND)
                .getMessage(),
            assertCode(() -> w.kms.keys().create(foreign, "acme", soft("x")), ErrorCode.NOT_FOUND)
                .getMessage(),
            assertCode(
                    () ->
                        w.kms
                            .identity()
                            .createPrincipal(foreign, "acme", "bob", Set.of(Role.KEY_USER), null),
                    ErrorCode.NOT_FOUND)
                .getMessage())) {
      assertThat(listed).isEqualTo(existing);
    }
  }

  @Test
  void platformAdminCanBeGrantedOnlyByAPlatformAdminInTheSystemTenant() {
    World w = new World(true);
    Caller acmeAdmin = KmsFixture.caller("acme", "boss", Role.TENANT_ADMIN);
    Caller systemTenantAdmin = KmsFixture.caller(Tenant.SYSTEM, "ops", Role.TENANT_ADMIN);
    Set<Role> platform = Set.of(Role.PLATFORM_ADMIN);

    assertCode(
        () -> w.kms.identity().createPrincipal(acmeAdmin, "acme", "eve", platform, null),
        ErrorCode.PERMISSION_DENIED);
    assertCode(
        () ->
            w.kms
                .identity()
                .createPrincipal(
                    acmeAdmin, "acme", "eve", Set.of(Role.KEY_USER, Role.PLATFORM_ADMIN), null),
        ErrorCode.PERMISSION_DENIED);
    assertCode(
        () ->
            w.kms
                .identity()
                .createPrincipal(systemTenantAdmin, Tenant.SYSTEM, "eve", platform, null),
        ErrorCode.PERMISSION_DENIED);
    assertCode(
        () -> w.kms.identity().createPrincipal(PLATFORM_ADMIN, "acme", "eve", platform, null),
        ErrorCode.PERMISSION_DENIED);
    assertThat(w.kms.stores().principals().find("acme", "eve")).isEmpty();
    assertThat(w.kms.stores().principals().find(Tenant.SYSTEM, "eve")).isEmpty();

    IssuedToken t =
        w.kms.identity().createPrincipal(PLATFORM_ADMIN, Tenant.SYSTEM, "root2", platform, null);
    assertThat(w.kms.identity().authenticate(t.secret()).roles())
        .containsExactly(Role.PLATFORM_ADMIN);
  }

  @Test
  void platformAdminCreatesPrincipalsInAnyTenant() {
    World w = new World(true);
    for (String tenant : List.of("acme", "globex")) {
      IssuedToken t =
          w.kms
              .identity()
              .createPrincipal(
                  PLATFORM_ADMIN, tenant, "ops", Set.of(Role.TENANT_ADMIN, Role.AUDITOR), null);
      Caller c = w.kms.identity().authenticate(t.secret());
      assertThat(c).isEqualTo(new Caller(tenant, "ops", Set.of(Role.TENANT_ADMIN, Role.AUDITOR)));
    }
    assertCode(
        () ->
            w.kms
                .identity()
                .createPrincipal(PLATFORM_ADMIN, "acme", "ops", Set.of(Role.AUDITOR), null),
        ErrorCode.ALREADY_EXISTS);
    // a tenant admin manages its own tenant only
    Caller acmeAdmin = KmsFixture.caller("acme", "boss", Role.TENANT_ADMIN);
    w.kms.identity().createPrincipal(acmeAdmin, "acme", "svc", Set.of(Role.KEY_USER), null);
    assertCode(
        () ->
            w.kms
                .identity()
                .createPrincipal(acmeAdmin, "globex", "svc", Set.of(Role.KEY_USER), null),
        ErrorCode.NOT_FOUND);
    assertCode(
        () ->
            w.kms
                .identity()
                .createPrincipal(acmeAdmin, "acme", "bad name", Set.of(Role.KEY_USER), null),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> w.kms.identity().createPrincipal(acmeAdmin, "acme", "nobody", Set.of(), null),
        ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void auditorsOfTheSystemTenantMayVerifyTheChain() {
    World w = new World(true);
    assertThat(w.kms.audit().verify(KmsFixture.caller(Tenant.SYSTEM, "aud", Role.AUDITOR)).ok())
        .isTrue();
    assertCode(
        () -> w.kms.audit().verify(KmsFixture.caller("acme", "aud", Role.AUDITOR)),
        ErrorCode.PERMISSION_DENIED);
    // a platform admin reads any tenant's audit
    assertThat(w.kms.audit().list(PLATFORM_ADMIN, "acme", null, null).items()).hasSize(1);
  }

  @Test
  void authenticateAcceptsOnlyValidTokens() {
    World w = new World(true);
    IdentityService id = w.kms.identity();
    IssuedToken token =
        id.createPrincipal(
            PLATFORM_ADMIN,
            "acme",
            "svc",
            Set.of(Role.KEY_USER, Role.AUDITOR),
            Duration.ofMinutes(10));
    assertThat(token.secret()).startsWith("srt_").hasSize(4 + 43);
    assertThat(token.toString()).doesNotContain(token.secret().substring(4)).contains("REDACTED");
    assertThat(token.record().toString()).doesNotContain(token.secret().substring(4));

    Caller c = id.authenticate(token.secret());
    assertThat(c).isEqualTo(new Caller("acme", "svc", Set.of(Role.KEY_USER, Role.AUDITOR)));
    assertThat(c.id()).isEqualTo("acme/svc");
    // stored as its SHA-256 only
    assertThat(w.kms.stores().tokens().findByHash(IdentityService.sha256(token.secret())))
        .isPresent();

    String unknown = "srt_" + "A".repeat(43);
    for (String bad :
        new String[] {
          null,
          "",
          "srt_",
          "srt_short",
          "Bearer " + token.secret(),
          token.secret() + "x",
          token.secret().substring(0, token.secret().length() - 1) + "!",
          unknown,
          " " + token.secret()
        }) {
      assertCode(() -> id.authenticate(bad), ErrorCode.UNAUTHENTICATED);
    }

    w.kms.clock().advance(Duration.ofMinutes(10).minusMillis(1));
    assertThat(id.authenticate(token.secret())).isEqualTo(c);
    w.kms.clock().advance(Duration.ofMillis(1));
    assertCode(() -> id.authenticate(token.secret()), ErrorCode.UNAUTHENTICATED);
  }

  @Test
  void revokedTokenIsRefusedAtOnce() {
    World w = new World(true);
    IdentityService id = w.kms.identity();
    Caller acmeAdmin = KmsFixture.caller("acme", "boss", Role.TENANT_ADMIN);
    IssuedToken first = id.createPrincipal(acmeAdmin, "acme", "svc", Set.of(Role.KEY_USER), null);
    IssuedToken second = id.issueToken(acmeAdmin, "acme", "svc", Duration.ofDays(1), "second");
    assertThat(id.authenticate(first.secret()).principal()).isEqualTo("svc"); // now cached
    assertThat(id.authenticate(second.secret()).principal()).isEqualTo("svc");

    id.revokeToken(acmeAdmin, "acme", "svc", first.record().id());

    assertCode(() -> id.authenticate(first.secret()), ErrorCode.UNAUTHENTICATED);
    assertThat(id.authenticate(second.secret()).principal()).isEqualTo("svc");
    assertCode(
        () -> id.revokeToken(acmeAdmin, "acme", "svc", "0000000000000000"), ErrorCode.NOT_FOUND);
    assertCode(
        () -> id.revokeToken(acmeAdmin, "acme", "alice", second.record().id()),
        ErrorCode.NOT_FOUND);
    assertCode(() -> id.issueToken(acmeAdmin, "acme", "nobody", null, null), ErrorCode.NOT_FOUND);
  }

  @Test
  void tokenLifetimeIsBounded() {
    World w = new World(true);
    Caller acmeAdmin = KmsFixture.caller("acme", "boss", Role.TENANT_ADMIN);
    for (Duration bad :
        List.of(
            Duration.ofSeconds(59), Duration.ofDays(366), Duration.ZERO, Duration.ofMinutes(-5))) {
      assertCode(
          () -> w.kms.identity().issueToken(acmeAdmin, "acme", "alice", bad, null),
          ErrorCode.INVALID_ARGUMENT);
    }
    IssuedToken t = w.kms.identity().issueToken(acmeAdmin, "acme", "alice", null, null);
    assertThat(Duration.between(t.record().createdAt(), t.record().expiresAt()))
        .isEqualTo(IdentityService.DEFAULT_TOKEN_TTL);
  }

  @Test
  void bootstrapCreatesThePlatformAdminOnce() {
    KmsFixture kms = KmsFixture.create(root);
    IssuedToken first = kms.identity().bootstrap(false, null).orElseThrow();
    assertThat(kms.identity().authenticate(first.secret()))
        .isEqualTo(
            new Caller(
                Tenant.SYSTEM, IdentityService.ADMIN_PRINCIPAL, Set.of(Role.PLATFORM_ADMIN)));
    assertThat(kms.identity().bootstrap(false, null)).isEmpty();
    IssuedToken again = kms.identity().bootstrap(true, Duration.ofHours(1)).orElseThrow();
    assertThat(again.secret()).isNotEqualTo(first.secret());
    assertThat(kms.identity().authenticate(again.secret()).has(Role.PLATFORM_ADMIN)).isTrue();
    assertThat(kms.identity().authenticate(first.secret()).has(Role.PLATFORM_ADMIN)).isTrue();
  }

  @Test
  void tenantsAreValidatedAndListed() {
    World w = new World(true);
    assertCode(
        () -> w.kms.identity().createTenant(PLATFORM_ADMIN, "acme", null),
        ErrorCode.ALREADY_EXISTS);
    for (String bad : new String[] {"", "Acme", "-acme", "a_b", "x".repeat(64)}) {
      assertCode(
          () -> w.kms.identity().createTenant(PLATFORM_ADMIN, bad, null),
          ErrorCode.INVALID_ARGUMENT);
    }
    assertCode(
        () -> w.kms.identity().createTenant(PLATFORM_ADMIN, "newco", "d".repeat(257)),
        ErrorCode.INVALID_ARGUMENT);
    var page = w.kms.identity().listTenants(PLATFORM_ADMIN, 2, null);
    assertThat(page.items()).extracting(Tenant::name).containsExactly("acme", "globex");
    var rest = w.kms.identity().listTenants(PLATFORM_ADMIN, 2, page.nextPageToken());
    assertThat(rest.items()).extracting(Tenant::name).containsExactly(Tenant.SYSTEM);
    assertThat(rest.nextPageToken()).isNull();
  }

  private static NewKey soft(String name) {
    return new NewKey(name, ProtectionLevel.SOFTWARE, null, null, null);
  }
}
