package io.strongroom.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.strongroom.core.ErrorCode;
import io.strongroom.core.Key;
import io.strongroom.core.KeyPatch;
import io.strongroom.core.KeyRing;
import io.strongroom.core.KeyState;
import io.strongroom.core.KeyVersion;
import io.strongroom.core.KmsException;
import io.strongroom.core.Principal;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.Role;
import io.strongroom.core.Tenant;
import io.strongroom.core.TokenRecord;
import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.audit.AuditEvent;
import io.strongroom.core.audit.AuditLog;
import io.strongroom.core.audit.AuditRecord;
import io.strongroom.core.custody.VersionRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every implementation of the store ports and of {@link AuditLog} must meet: one
 * suite, run against the in-memory fake here and against H2 and PostgreSQL by kms-server (which
 * extends it from kms-core's test jar).
 *
 * <p>Each test gets a fresh, EMPTY store set from {@link #newStores}. Instants are compared at
 * millisecond precision, as stores keep epoch millis; the test instants carry a sub-millisecond
 * part below half a millisecond, so a store may truncate or round.
 */
public abstract class StoreContract {
  /** An instant with a sub-millisecond part that stores drop. */
  protected static final Instant T0 = Instant.parse("2026-03-04T05:06:07.123456789Z");

  private static final byte[] AUDIT_KEY =
      HexFormat.of().parseHex("5a0f3c1e2d4b6a798897a6b5c4d3e2f10123456789abcdeffedcba9876543210");

  private final AuditChain chain = new AuditChain(AUDIT_KEY);
  private final Random random = new Random(20260304L);

  /** The store set under test. */
  protected Stores stores;

  /**
   * A fresh, empty store set (a new database or schema) whose audit log chains with {@code chain}.
   */
  protected abstract Stores newStores(AuditChain chain);

  @BeforeEach
  void freshStores() {
    stores = newStores(chain);
  }

  // ---------------------------------------------------------------- tenants

  @Test
  void tenantIsCreatedAndFound() {
    stores.tenants().create(new Tenant("acme", "Acme Corp", T0));
    stores.tenants().create(new Tenant("globex", null, T0.plusSeconds(1)));

    assertThat(stores.tenants().find("acme").map(StoreContract::ms))
        .contains(new Tenant("acme", "Acme Corp", ms(T0)));
    assertThat(stores.tenants().find("globex").map(StoreContract::ms))
        .contains(new Tenant("globex", null, ms(T0.plusSeconds(1))));
    assertThat(stores.tenants().find("initech")).isEmpty();
  }

  @Test
  void duplicateTenantIsRefused() {
    stores.tenants().create(new Tenant("acme", "first", T0));

    assertCode(
        () -> stores.tenants().create(new Tenant("acme", "second", T0)), ErrorCode.ALREADY_EXISTS);
    assertThat(stores.tenants().find("acme").orElseThrow().description()).isEqualTo("first");
  }

  @Test
  void tenantsAreListedByNameInPages() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      names.add(String.format("t%02d", i));
    }
    List<String> shuffled = new ArrayList<>(names);
    Collections.shuffle(shuffled, random);
    for (String n : shuffled) {
      stores.tenants().create(new Tenant(n, null, T0));
    }

    assertThat(tenantNames(stores.tenants().list(null, 100))).isEqualTo(names);
    assertThat(tenantNames(stores.tenants().list(null, 5))).isEqualTo(names.subList(0, 5));
    assertThat(tenantNames(stores.tenants().list("t04", 5))).isEqualTo(names.subList(5, 10));
    assertThat(tenantNames(stores.tenants().list("t09", 5))).isEqualTo(names.subList(10, 12));
    assertThat(stores.tenants().list("t11", 5)).isEmpty();
    // afterName need not exist; it is exclusive
    assertThat(tenantNames(stores.tenants().list("t045", 2))).containsExactly("t05", "t06");
    assertThat(tenantNames(stores.tenants().list("a", 1))).containsExactly("t00");
  }

  // ---------------------------------------------------------------- principals

  @Test
  void principalIsCreatedAndFoundInItsTenant() {
    givenTenants();
    stores
        .principals()
        .create(new Principal("acme", "alice@acme", Set.of(Role.KEY_ADMIN, Role.AUDITOR), T0));

    Principal p = stores.principals().find("acme", "alice@acme").orElseThrow();
    assertThat(p.tenant()).isEqualTo("acme");
    assertThat(p.name()).isEqualTo("alice@acme");
    assertThat(p.roles()).containsExactlyInAnyOrder(Role.KEY_ADMIN, Role.AUDITOR);
    assertSameMillis(p.createdAt(), T0);
    assertThat(stores.principals().find("acme", "bob")).isEmpty();
    assertThat(stores.principals().find("globex", "alice@acme")).isEmpty();
  }

  @Test
  void duplicatePrincipalIsRefusedOnlyWithinItsTenant() {
    givenTenants();
    stores.principals().create(new Principal("acme", "svc", Set.of(Role.KEY_USER), T0));

    assertCode(
        () -> stores.principals().create(new Principal("acme", "svc", Set.of(Role.AUDITOR), T0)),
        ErrorCode.ALREADY_EXISTS);
    stores.principals().create(new Principal("globex", "svc", Set.of(Role.TENANT_ADMIN), T0));

    assertThat(stores.principals().find("acme", "svc").orElseThrow().roles())
        .containsExactly(Role.KEY_USER);
    assertThat(stores.principals().find("globex", "svc").orElseThrow().roles())
        .containsExactly(Role.TENANT_ADMIN);
  }

  @Test
  void everyRoleRoundTrips() {
    givenTenants();
    stores.principals().create(new Principal("acme", "all", Set.of(Role.values()), T0));
    assertThat(stores.principals().find("acme", "all").orElseThrow().roles())
        .containsExactlyInAnyOrder(Role.values());
  }

  // ---------------------------------------------------------------- tokens

  @Test
  void tokenIsFoundByItsHash() {
    givenTenants();
    givenPrincipal("acme", "alice");
    byte[] hash = randomBytes(32);
    stores
        .tokens()
        .create(
            new TokenRecord(
                "0123456789abcdef",
                "acme",
                "alice",
                hash,
                "first token",
                T0,
                T0.plus(Duration.ofHours(12)),
                null));

    TokenRecord t = stores.tokens().findByHash(hash.clone()).orElseThrow();
    assertThat(t.id()).isEqualTo("0123456789abcdef");
    assertThat(t.tenant()).isEqualTo("acme");
    assertThat(t.principal()).isEqualTo("alice");
    assertThat(t.hash()).isEqualTo(hash);
    assertThat(t.description()).isEqualTo("first token");
    assertSameMillis(t.createdAt(), T0);
    assertSameMillis(t.expiresAt(), T0.plus(Duration.ofHours(12)));
    assertThat(t.revokedAt()).isNull();
    assertThat(stores.tokens().findByHash(randomBytes(32))).isEmpty();
  }

  @Test
  void expiredAndRevokedTokensAreStillFound() {
    givenTenants();
    givenPrincipal("acme", "alice");
    byte[] hash = randomBytes(32);
    stores
        .tokens()
        .create(new TokenRecord("aa00", "acme", "alice", hash, null, T0, T0.plusSeconds(60), null));
    assertThat(stores.tokens().revoke("acme", "alice", "aa00", T0.plusSeconds(10))).isTrue();

    TokenRecord t = stores.tokens().findByHash(hash).orElseThrow();
    assertThat(t.description()).isNull();
    assertSameMillis(t.revokedAt(), T0.plusSeconds(10));
    assertThat(t.validAt(T0.plusSeconds(5))).isFalse();
  }

  @Test
  void revokeNeedsTheRightTenantPrincipalAndId() {
    givenTenants();
    givenPrincipal("acme", "alice");
    givenPrincipal("acme", "bob");
    givenPrincipal("globex", "alice");
    byte[] hash = randomBytes(32);
    stores
        .tokens()
        .create(
            new TokenRecord(
                "t1", "acme", "alice", hash, null, T0, T0.plus(Duration.ofDays(1)), null));
    Instant at = T0.plusSeconds(30);

    assertThat(stores.tokens().revoke("globex", "alice", "t1", at)).isFalse();
    assertThat(stores.tokens().revoke("acme", "bob", "t1", at)).isFalse();
    assertThat(stores.tokens().revoke("acme", "alice", "t2", at)).isFalse();
    assertThat(stores.tokens().findByHash(hash).orElseThrow().revokedAt()).isNull();

    assertThat(stores.tokens().revoke("acme", "alice", "t1", at)).isTrue();
    assertSameMillis(stores.tokens().findByHash(hash).orElseThrow().revokedAt(), at);
  }

  // ---------------------------------------------------------------- keys

  @Test
  void keyIsCreatedAndFoundByNameAndId() {
    givenTenants();
    KeyRing ring = ringOf(fullKey("acme", "orders"), version(1, KeyState.ENABLED));
    stores.keys().create(ring);

    assertSameRing(stores.keys().findByName("acme", "orders").orElseThrow(), ring);
    assertSameRing(stores.keys().findById("acme", ring.key().id()).orElseThrow(), ring);
    assertThat(stores.keys().findByName("acme", "payments")).isEmpty();
    assertThat(stores.keys().findById("acme", newKeyId())).isEmpty();
  }

  @Test
  void keyOfOneTenantIsInvisibleToAnother() {
    givenTenants();
    KeyRing ring = ringOf(key("acme", "orders"), version(1, KeyState.ENABLED));
    stores.keys().create(ring);

    assertThat(stores.keys().findById("globex", ring.key().id())).isEmpty();
    assertThat(stores.keys().findByName("globex", "orders")).isEmpty();
    assertThat(stores.keys().list("globex", null, 100)).isEmpty();
  }

  @Test
  void keyNameIsUniqueWithinATenantOnly() {
    givenTenants();
    KeyRing first = ringOf(key("acme", "orders"), version(1, KeyState.ENABLED));
    stores.keys().create(first);

    assertCode(
        () -> stores.keys().create(ringOf(key("acme", "orders"), version(1, KeyState.ENABLED))),
        ErrorCode.ALREADY_EXISTS);

    KeyRing other = ringOf(key("globex", "orders"), version(1, KeyState.ENABLED));
    stores.keys().create(other);
    assertThat(stores.keys().findByName("acme", "orders").orElseThrow().key().id())
        .isEqualTo(first.key().id());
    assertThat(stores.keys().findByName("globex", "orders").orElseThrow().key().id())
        .isEqualTo(other.key().id());
  }

  @Test
  void keyWithSeveralVersionsRoundTrips() {
    givenTenants();
    Key k = shaped(key("acme", "orders"), 2, 3, 1, 1, KeyState.ENABLED, null).withRevision(1);
    KeyRing ring =
        ringOf(
            k,
            version(3, KeyState.DISABLED),
            version(1, KeyState.ENABLED),
            new KeyVersion(
                2,
                KeyState.DESTROY_SCHEDULED,
                ProtectionLevel.SOFTWARE,
                randomBytes(57),
                T0,
                T0.plus(Duration.ofDays(7))));
    stores.keys().create(ring);

    KeyRing found = stores.keys().findById("acme", k.id()).orElseThrow();
    assertSameRing(found, ring);
    assertThat(found.versions()).extracting(KeyVersion::number).containsExactly(1, 2, 3);
  }

  @Test
  void keysAreListedByNameInPagesPerTenant() {
    givenTenants();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      names.add(String.format("k%02d", i));
    }
    List<String> shuffled = new ArrayList<>(names);
    Collections.shuffle(shuffled, random);
    for (String n : shuffled) {
      stores.keys().create(ringOf(key("acme", n), version(1, KeyState.ENABLED)));
      stores.keys().create(ringOf(key("globex", n + "x"), version(1, KeyState.ENABLED)));
    }

    assertThat(keyNames(stores.keys().list("acme", null, 100))).isEqualTo(names);
    assertThat(keyNames(stores.keys().list("acme", null, 5))).isEqualTo(names.subList(0, 5));
    assertThat(keyNames(stores.keys().list("acme", "k04", 5))).isEqualTo(names.subList(5, 10));
    assertThat(keyNames(stores.keys().list("acme", "k09", 5))).isEqualTo(names.subList(10, 12));
    assertThat(stores.keys().list("acme", "k11", 5)).isEmpty();
    assertThat(keyNames(stores.keys().list("acme", "k045", 1))).containsExactly("k05");
    assertThat(stores.keys().list("globex", null, 100))
        .allSatisfy(k -> assertThat(k.tenant()).isEqualTo("globex"))
        .hasSize(12);
  }

  @Test
  void listedKeysCarryTheirSettings() {
    givenTenants();
    KeyRing ring = ringOf(fullKey("acme", "orders"), version(1, KeyState.ENABLED));
    stores.keys().create(ring);

    assertThat(stores.keys().list("acme", null, 10))
        .singleElement()
        .satisfies(k -> assertThat(ms(k)).isEqualTo(ms(ring.key())));
  }

  @Test
  void mixedCaseNamesArePagedEachExactlyOnce() {
    givenTenants();
    List<String> names = List.of("Zulu", "alpha", "Bravo", "charlie", "DELTA", "echo", "x1", "X2");
    for (String n : names) {
      stores.keys().create(ringOf(key("acme", n), version(1, KeyState.ENABLED)));
    }
    List<String> all = keyNames(stores.keys().list("acme", null, 100));
    List<String> paged = new ArrayList<>();
    String after = null;
    while (true) {
      List<Key> page = stores.keys().list("acme", after, 3);
      if (page.isEmpty()) {
        break;
      }
      paged.addAll(keyNames(page));
      after = page.get(page.size() - 1).name();
    }
    assertThat(all).containsExactlyInAnyOrderElementsOf(names);
    assertThat(paged).isEqualTo(all);
  }

  @Test
  void updateSavesWithCompareAndSet() {
    givenTenants();
    KeyRing ring = ringOf(key("acme", "orders"), version(1, KeyState.ENABLED));
    stores.keys().create(ring);
    Instant t1 = T0.plus(Duration.ofDays(1));

    KeyVersion v2 = version(2, KeyState.ENABLED);
    KeyRing saved = stores.keys().update(ring.rotate(v2, t1), 1);

    assertThat(saved.key().revision()).isEqualTo(2);
    assertThat(saved.key().primaryVersion()).isEqualTo(2);
    assertThat(saved.key().latestVersion()).isEqualTo(2);
    assertSameMillis(saved.key().updatedAt(), t1);
    assertThat(saved.versions()).extracting(KeyVersion::number).containsExactly(1, 2);
    assertSameRing(stores.keys().findById("acme", ring.key().id()).orElseThrow(), saved);

    // a stale revision: nothing is saved, not even the new version
    KeyVersion v3 = version(3, KeyState.ENABLED);
    KeyRing.Update stale = saved.rotate(v3, t1.plusSeconds(1));
    assertCode(() -> stores.keys().update(stale, 1), ErrorCode.CONFLICT);
    assertCode(() -> stores.keys().update(stale, 3), ErrorCode.CONFLICT);
    KeyRing now = stores.keys().findById("acme", ring.key().id()).orElseThrow();
    assertThat(now.key().revision()).isEqualTo(2);
    assertThat(now.versions()).extracting(KeyVersion::number).containsExactly(1, 2);

    // the right revision
    KeyRing third = stores.keys().update(stale, 2);
    assertThat(third.key().revision()).isEqualTo(3);
    assertThat(third.versions()).extracting(KeyVersion::number).containsExactly(1, 2, 3);
    assertSameRing(stores.keys().findByName("acme", "orders").orElseThrow(), third);
  }

  @Test
  void updateReplacesChangedVersionsAndKeepsOthers() {
    givenTenants();
    KeyRing ring =
        ringOf(
            shaped(key("acme", "orders"), 3, 3, 1, 1, KeyState.ENABLED, null),
            version(1, KeyState.ENABLED),
            version(2, KeyState.ENABLED),
            version(3, KeyState.ENABLED));
    stores.keys().create(ring);
    Instant t1 = T0.plus(Duration.ofDays(1));

    KeyRing r = stores.keys().update(ring.disableVersion(1, t1), 1);
    assertThat(r.version(1).orElseThrow().state()).isEqualTo(KeyState.DISABLED);

    r = stores.keys().update(r.scheduleDestroyVersion(2, 7, t1), 2);
    KeyVersion scheduled = r.version(2).orElseThrow();
    assertThat(scheduled.state()).isEqualTo(KeyState.DESTROY_SCHEDULED);
    assertSameMillis(scheduled.destroyAt(), t1.plus(Duration.ofDays(7)));

    // one update may insert a version and replace another
    Key k = r.key().withVersions(4, 4, null, t1);
    KeyVersion v4 = version(4, KeyState.ENABLED);
    KeyVersion v1Enabled =
        new KeyVersion(
            1,
            KeyState.ENABLED,
            ProtectionLevel.SOFTWARE,
            ring.versions().get(0).material(),
            T0,
            null);
    List<KeyVersion> all =
        List.of(v1Enabled, r.version(2).orElseThrow(), r.version(3).orElseThrow(), v4);
    r =
        stores
            .keys()
            .update(new KeyRing.Update(new KeyRing(k, all), List.of(v4, v1Enabled), List.of()), 3);

    KeyRing found = stores.keys().findById("acme", ring.key().id()).orElseThrow();
    assertSameRing(found, r);
    assertThat(found.key().revision()).isEqualTo(4);
    assertThat(found.versions())
        .extracting(KeyVersion::number, KeyVersion::state)
        .containsExactly(
            tuple(1, KeyState.ENABLED),
            tuple(2, KeyState.DESTROY_SCHEDULED),
            tuple(3, KeyState.ENABLED),
            tuple(4, KeyState.ENABLED));
    assertThat(found.version(3).orElseThrow().material())
        .isEqualTo(ring.version(3).orElseThrow().material());
  }

  @Test
  void destroyedVersionLosesItsMaterial() {
    givenTenants();
    KeyRing ring =
        ringOf(
            shaped(key("acme", "orders"), 2, 2, 1, 1, KeyState.ENABLED, null),
            version(1, KeyState.ENABLED),
            version(2, KeyState.ENABLED));
    stores.keys().create(ring);
    KeyRing r = stores.keys().update(ring.scheduleDestroyVersion(1, 7, T0), 1);

    KeyRing.Update destroy = r.destroyDue(T0.plus(Duration.ofDays(8)));
    assertThat(destroy.changed()).hasSize(1);
    stores.keys().update(destroy, 2);

    KeyRing found = stores.keys().findById("acme", ring.key().id()).orElseThrow();
    KeyVersion v1 = found.version(1).orElseThrow();
    assertThat(v1.state()).isEqualTo(KeyState.DESTROYED);
    assertThat(v1.material()).isNull();
    assertThat(v1.destroyAt()).isNull();
    assertThat(found.version(2).orElseThrow().material())
        .isEqualTo(ring.version(2).orElseThrow().material());
  }

  @Test
  void keySettingsRoundTripThroughUpdate() {
    givenTenants();
    KeyRing ring =
        ringOf(
            shaped(key("acme", "orders"), 3, 3, 1, 1, KeyState.ENABLED, null),
            version(1, KeyState.ENABLED),
            version(2, KeyState.ENABLED),
            version(3, KeyState.ENABLED));
    stores.keys().create(ring);
    Instant t1 = T0.plus(Duration.ofDays(2)).plusNanos(987_654);

    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("team", "payments");
    labels.put("env", "prod");
    labels.put("empty", "");
    labels.put("unicode", "Zürich ✓");
    KeyRing.Update u =
        ring.patch(new KeyPatch(Duration.ofDays(45), false, "Orders — Ω key", labels, 2, 3), t1);
    KeyRing saved = stores.keys().update(u, 1);

    Key k = stores.keys().findByName("acme", "orders").orElseThrow().key();
    assertThat(ms(k)).isEqualTo(ms(u.ring().key().withRevision(2)));
    assertThat(ms(saved.key())).isEqualTo(ms(k));
    assertThat(k.rotationPeriod()).isEqualTo(Duration.ofDays(45));
    assertSameMillis(k.nextRotationAt(), t1.plus(Duration.ofDays(45)));
    assertThat(k.description()).isEqualTo("Orders — Ω key");
    assertThat(k.labels()).isEqualTo(labels);
    assertThat(k.minEncryptVersion()).isEqualTo(2);
    assertThat(k.minDecryptVersion()).isEqualTo(3);
    assertSameMillis(k.updatedAt(), t1);
    assertSameMillis(k.createdAt(), T0);

    // clearing: rotation off, labels empty
    KeyRing cleared =
        stores
            .keys()
            .update(
                saved.patch(
                    new KeyPatch(null, true, null, Map.of(), null, null), t1.plusSeconds(1)),
                2);
    Key c = stores.keys().findById("acme", ring.key().id()).orElseThrow().key();
    assertThat(c.rotationPeriod()).isNull();
    assertThat(c.nextRotationAt()).isNull();
    assertThat(c.labels()).isEmpty();
    assertThat(c.description()).isEqualTo("Orders — Ω key");
    assertThat(c.revision()).isEqualTo(3);
    assertThat(ms(cleared.key())).isEqualTo(ms(c));
  }

  @Test
  void keyLifecycleStatesRoundTrip() {
    givenTenants();
    KeyRing ring = ringOf(key("acme", "orders"), version(1, KeyState.ENABLED));
    stores.keys().create(ring);
    Instant t1 = T0.plus(Duration.ofHours(3));

    KeyRing r = stores.keys().update(ring.disable(t1), 1);
    assertThat(stores.keys().findById("acme", ring.key().id()).orElseThrow().key().state())
        .isEqualTo(KeyState.DISABLED);

    r = stores.keys().update(r.scheduleDestroy(30, t1), 2);
    Key k = stores.keys().findById("acme", ring.key().id()).orElseThrow().key();
    assertThat(k.state()).isEqualTo(KeyState.DESTROY_SCHEDULED);
    assertSameMillis(k.destroyAt(), t1.plus(Duration.ofDays(30)));

    r = stores.keys().update(r.destroyDue(t1.plus(Duration.ofDays(30))), 3);
    KeyRing found = stores.keys().findById("acme", ring.key().id()).orElseThrow();
    assertThat(found.key().state()).isEqualTo(KeyState.DESTROYED);
    assertThat(found.key().destroyAt()).isNull();
    assertThat(found.version(1).orElseThrow().state()).isEqualTo(KeyState.DESTROYED);
    assertThat(found.version(1).orElseThrow().material()).isNull();
    assertSameRing(found, r);
  }

  @Test
  void concurrentUpdatesOfOneRevisionHaveOneWinner() throws Exception {
    givenTenants();
    KeyRing ring = ringOf(key("acme", "orders"), version(1, KeyState.ENABLED));
    stores.keys().create(ring);
    int threads = 6;
    List<KeyVersion> candidates = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      candidates.add(version(2, KeyState.ENABLED));
    }
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (KeyVersion v : candidates) {
        Callable<Boolean> task =
            () -> {
              start.await();
              try {
                stores.keys().update(ring.rotate(v, T0.plusSeconds(1)), 1);
                return true;
              } catch (KmsException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                return false;
              }
            };
        results.add(pool.submit(task));
      }
      start.countDown();
      List<Boolean> won = new ArrayList<>();
      for (Future<Boolean> f : results) {
        won.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(won).containsOnlyOnce(true);
      KeyVersion winner = candidates.get(won.indexOf(true));
      KeyRing found = stores.keys().findById("acme", ring.key().id()).orElseThrow();
      assertThat(found.key().revision()).isEqualTo(2);
      assertThat(found.version(2).orElseThrow().material()).isEqualTo(winner.material());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void destroyDueFindsKeysAndVersionsWhoseWindowPassed() {
    givenTenants();
    Instant now = Instant.parse("2026-05-01T00:00:00Z");
    Key plain = key("acme", "plain");
    Key keyPast =
        shaped(key("acme", "key-past"), 1, 1, 1, 1, KeyState.DESTROY_SCHEDULED, now.minusMillis(1));
    Key keyNow = shaped(key("acme", "key-now"), 1, 1, 1, 1, KeyState.DESTROY_SCHEDULED, now);
    Key keyFuture =
        shaped(
            key("acme", "key-future"), 1, 1, 1, 1, KeyState.DESTROY_SCHEDULED, now.plusMillis(1));
    Key versionDue = shaped(key("acme", "version-due"), 2, 2, 1, 1, KeyState.ENABLED, null);
    Key versionLater = shaped(key("acme", "version-later"), 2, 2, 1, 1, KeyState.ENABLED, null);
    Key destroyed = shaped(key("acme", "destroyed"), 1, 1, 1, 1, KeyState.DESTROYED, null);
    Key otherTenant =
        shaped(
            key("globex", "key-past"),
            1,
            1,
            1,
            1,
            KeyState.DESTROY_SCHEDULED,
            now.minus(Duration.ofDays(3)));

    stores.keys().create(ringOf(plain, version(1, KeyState.ENABLED)));
    stores.keys().create(ringOf(keyPast, version(1, KeyState.ENABLED)));
    stores.keys().create(ringOf(keyNow, version(1, KeyState.DISABLED)));
    stores.keys().create(ringOf(keyFuture, version(1, KeyState.ENABLED)));
    stores
        .keys()
        .create(ringOf(versionDue, scheduledVersion(1, now), version(2, KeyState.ENABLED)));
    stores
        .keys()
        .create(
            ringOf(
                versionLater,
                scheduledVersion(1, now.plus(Duration.ofDays(1))),
                version(2, KeyState.ENABLED)));
    stores
        .keys()
        .create(
            ringOf(
                destroyed,
                new KeyVersion(1, KeyState.DESTROYED, ProtectionLevel.SOFTWARE, null, T0, null)));
    stores.keys().create(ringOf(otherTenant, version(1, KeyState.ENABLED)));

    List<KeyStore.KeyRef> due = stores.keys().destroyDue(now, 100);
    assertThat(due)
        .containsExactlyInAnyOrder(
            new KeyStore.KeyRef("acme", keyPast.id()),
            new KeyStore.KeyRef("acme", keyNow.id()),
            new KeyStore.KeyRef("acme", versionDue.id()),
            new KeyStore.KeyRef("globex", otherTenant.id()));
    assertThat(stores.keys().destroyDue(now, 2)).hasSize(2).isSubsetOf(due);
    assertThat(stores.keys().destroyDue(now.minus(Duration.ofDays(10)), 100)).isEmpty();
  }

  // ---------------------------------------------------------------- versions across tenants

  @Test
  void versionsOfAProtectionLevelAreScannedAcrossTenantsInPages() {
    givenTenants();
    List<VersionRef> expected = new ArrayList<>();
    Map<VersionRef, byte[]> material = new HashMap<>();
    for (String tenant : List.of("globex", "acme")) {
      for (int k = 0; k < 3; k++) {
        KeyRing ring =
            ringOf(
                shaped(key(tenant, "k" + k), 3, 3, 1, 1, KeyState.ENABLED, null),
                version(1, KeyState.ENABLED),
                version(2, KeyState.DISABLED),
                scheduledVersion(3, T0.plus(Duration.ofDays(7))));
        stores.keys().create(ring);
        for (KeyVersion v : ring.versions()) {
          VersionRef ref = new VersionRef(tenant, ring.key().id(), v.number());
          expected.add(ref);
          material.put(ref, v.material());
        }
      }
    }
    // a destroyed version (no material) and other protection levels are left out
    KeyRing partlyDestroyed =
        ringOf(
            shaped(key("acme", "gone"), 2, 2, 1, 1, KeyState.ENABLED, null),
            new KeyVersion(1, KeyState.DESTROYED, ProtectionLevel.SOFTWARE, null, T0, null),
            version(2, KeyState.ENABLED));
    stores.keys().create(partlyDestroyed);
    VersionRef survivor = new VersionRef("acme", partlyDestroyed.key().id(), 2);
    expected.add(survivor);
    material.put(survivor, partlyDestroyed.version(2).orElseThrow().material());
    Key hsm = withProtection(key("acme", "hsm"), ProtectionLevel.HSM);
    byte[] handle = randomBytes(16);
    stores
        .keys()
        .create(
            ringOf(
                hsm, new KeyVersion(1, KeyState.ENABLED, ProtectionLevel.HSM, handle, T0, null)));
    expected.sort(VERSION_ORDER);

    List<KeyStore.StoredVersion> all =
        stores.keys().scanVersions(ProtectionLevel.SOFTWARE, null, 1000);
    assertThat(refs(all)).isEqualTo(expected);
    assertThat(all)
        .allSatisfy(
            s -> {
              assertThat(s.version().number()).isEqualTo(s.ref().version());
              assertThat(s.version().protection()).isEqualTo(ProtectionLevel.SOFTWARE);
              assertThat(s.version().material()).isEqualTo(material.get(s.ref()));
            });
    assertThat(all)
        .filteredOn(s -> s.ref().version() == 3 && !s.ref().equals(survivor))
        .allSatisfy(
            s -> {
              assertThat(s.version().state()).isEqualTo(KeyState.DESTROY_SCHEDULED);
              assertSameMillis(s.version().destroyAt(), T0.plus(Duration.ofDays(7)));
            });

    // pages of any size give the same sequence: each version exactly once, in order
    for (int size : List.of(1, 2, 5, 19, 20)) {
      List<VersionRef> paged = new ArrayList<>();
      VersionRef after = null;
      while (true) {
        List<KeyStore.StoredVersion> page =
            stores.keys().scanVersions(ProtectionLevel.SOFTWARE, after, size);
        assertThat(page.size()).isLessThanOrEqualTo(size);
        if (page.isEmpty()) {
          break;
        }
        paged.addAll(refs(page));
        after = page.get(page.size() - 1).ref();
      }
      assertThat(paged).as("page size %d", size).isEqualTo(expected);
    }

    // after is exclusive and need not exist
    assertThat(refs(stores.keys().scanVersions(ProtectionLevel.SOFTWARE, expected.get(2), 2)))
        .isEqualTo(expected.subList(3, 5));
    VersionRef first = expected.get(0);
    assertThat(
            refs(
                stores
                    .keys()
                    .scanVersions(
                        ProtectionLevel.SOFTWARE,
                        new VersionRef(first.tenant(), first.keyId(), 0),
                        1)))
        .containsExactly(first);
    assertThat(
            stores
                .keys()
                .scanVersions(ProtectionLevel.SOFTWARE, expected.get(expected.size() - 1), 10))
        .isEmpty();

    assertThat(stores.keys().scanVersions(ProtectionLevel.HSM, null, 10))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.ref()).isEqualTo(new VersionRef("acme", hsm.id(), 1));
              assertThat(s.version().material()).isEqualTo(handle);
            });
    assertThat(stores.keys().scanVersions(ProtectionLevel.EXTERNAL, null, 10)).isEmpty();
  }

  @Test
  void scanSeesReplacedMaterialAndKeepsItsPlace() {
    givenTenants();
    for (String tenant : List.of("acme", "globex")) {
      stores
          .keys()
          .create(
              ringOf(
                  shaped(key(tenant, "orders"), 2, 2, 1, 1, KeyState.ENABLED, null),
                  version(1, KeyState.ENABLED),
                  version(2, KeyState.ENABLED)));
    }
    List<KeyStore.StoredVersion> before =
        stores.keys().scanVersions(ProtectionLevel.SOFTWARE, null, 100);
    assertThat(before).hasSize(4);

    // replace material while paging: the scan neither repeats nor skips a version
    List<VersionRef> seen = new ArrayList<>();
    Map<VersionRef, byte[]> replaced = new HashMap<>();
    VersionRef after = null;
    while (true) {
      List<KeyStore.StoredVersion> page =
          stores.keys().scanVersions(ProtectionLevel.SOFTWARE, after, 1);
      if (page.isEmpty()) {
        break;
      }
      KeyStore.StoredVersion s = page.get(0);
      seen.add(s.ref());
      byte[] fresh = randomBytes(81);
      assertThat(stores.keys().replaceMaterial(s.ref(), s.version().material(), fresh)).isTrue();
      replaced.put(s.ref(), fresh);
      after = s.ref();
    }
    assertThat(seen).isEqualTo(refs(before));
    assertThat(stores.keys().scanVersions(ProtectionLevel.SOFTWARE, null, 100))
        .allSatisfy(s -> assertThat(s.version().material()).isEqualTo(replaced.get(s.ref())));
  }

  @Test
  void anUpdateNeverWritesMaterialBackOnlyClearsIt() {
    givenTenants();
    KeyRing ring =
        ringOf(
            fullKey("acme", "orders").withVersions(1, 2, null, T0),
            version(1, KeyState.ENABLED),
            version(2, KeyState.ENABLED));
    stores.keys().create(ring);
    String id = ring.key().id();
    byte[] old = ring.version(1).orElseThrow().material();
    byte[] migrated = randomBytes(90);
    assertThat(stores.keys().replaceMaterial(new VersionRef("acme", id, 1), old, migrated))
        .isTrue();

    // a node that read the ring before the migration disables version 1 with the old bytes
    KeyVersion staleDisabled =
        new KeyVersion(1, KeyState.DISABLED, ProtectionLevel.SOFTWARE, old, T0, null);
    KeyVersion v2 = ring.version(2).orElseThrow();
    stores
        .keys()
        .update(
            new KeyRing.Update(
                new KeyRing(ring.key(), List.of(staleDisabled, v2)),
                List.of(staleDisabled),
                List.of()),
            ring.key().revision());
    KeyVersion found = stores.keys().findById("acme", id).orElseThrow().version(1).orElseThrow();
    assertThat(found.state()).isEqualTo(KeyState.DISABLED);
    assertThat(found.material()).isEqualTo(migrated);

    // destroying clears it
    KeyVersion destroyed =
        new KeyVersion(1, KeyState.DESTROYED, ProtectionLevel.SOFTWARE, null, T0, null);
    stores
        .keys()
        .update(
            new KeyRing.Update(
                new KeyRing(
                    ring.key().withRevision(ring.key().revision() + 1), List.of(destroyed, v2)),
                List.of(destroyed),
                List.of()),
            ring.key().revision() + 1);
    assertThat(stores.keys().findById("acme", id).orElseThrow().version(1).orElseThrow().material())
        .isNull();
  }

  @Test
  void materialIsReplacedOnlyWhileItIsTheExpectedBytes() {
    givenTenants();
    KeyRing ring =
        ringOf(
            fullKey("acme", "orders").withVersions(1, 3, null, T0),
            version(1, KeyState.ENABLED),
            version(2, KeyState.DISABLED),
            new KeyVersion(3, KeyState.DESTROYED, ProtectionLevel.SOFTWARE, null, T0, null));
    stores.keys().create(ring);
    String id = ring.key().id();
    VersionRef v1 = new VersionRef("acme", id, 1);
    byte[] old = ring.version(1).orElseThrow().material();
    byte[] fresh = randomBytes(90);

    // other bytes, another tenant, a missing key or version, a destroyed version: no change
    assertThat(stores.keys().replaceMaterial(v1, randomBytes(73), fresh)).isFalse();
    assertThat(stores.keys().replaceMaterial(new VersionRef("globex", id, 1), old, fresh))
        .isFalse();
    assertThat(stores.keys().replaceMaterial(new VersionRef("acme", newKeyId(), 1), old, fresh))
        .isFalse();
    assertThat(stores.keys().replaceMaterial(new VersionRef("acme", id, 4), old, fresh)).isFalse();
    assertThat(stores.keys().replaceMaterial(new VersionRef("acme", id, 3), old, fresh)).isFalse();
    assertSameRing(stores.keys().findById("acme", id).orElseThrow(), ring);

    assertThat(stores.keys().replaceMaterial(v1, old.clone(), fresh)).isTrue();
    KeyRing found = stores.keys().findById("acme", id).orElseThrow();
    assertThat(found.version(1).orElseThrow().material()).isEqualTo(fresh);
    assertThat(found.version(1).orElseThrow().state()).isEqualTo(KeyState.ENABLED);
    // nothing else changed: not the other versions, not the key row or its revision
    assertThat(ms(found.key())).isEqualTo(ms(ring.key()));
    assertThat(ms(found.version(2).orElseThrow())).isEqualTo(ms(ring.version(2).orElseThrow()));
    assertThat(found.version(3).orElseThrow().material()).isNull();

    // the old bytes are gone, so a second replacement from them fails
    assertThat(stores.keys().replaceMaterial(v1, old, randomBytes(73))).isFalse();
    assertThat(stores.keys().findById("acme", id).orElseThrow().version(1).orElseThrow().material())
        .isEqualTo(fresh);

    // the key is still updated at its unchanged revision, and keeps the new material
    KeyRing disabled = stores.keys().update(found.disableVersion(1, T0.plusSeconds(1)), 1);
    assertThat(disabled.key().revision()).isEqualTo(2);
    KeyVersion v1After = stores.keys().findById("acme", id).orElseThrow().version(1).orElseThrow();
    assertThat(v1After.state()).isEqualTo(KeyState.DISABLED);
    assertThat(v1After.material()).isEqualTo(fresh);
  }

  @Test
  void concurrentMaterialReplacementsHaveOneWinner() throws Exception {
    givenTenants();
    KeyRing ring = ringOf(key("acme", "orders"), version(1, KeyState.ENABLED));
    stores.keys().create(ring);
    VersionRef ref = new VersionRef("acme", ring.key().id(), 1);
    byte[] old = ring.version(1).orElseThrow().material();
    int threads = 6;
    List<byte[]> candidates = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      candidates.add(randomBytes(73));
    }
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (byte[] candidate : candidates) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return stores.keys().replaceMaterial(ref, old, candidate);
                }));
      }
      start.countDown();
      List<Boolean> won = new ArrayList<>();
      for (Future<Boolean> f : results) {
        won.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(won).containsOnlyOnce(true);
      assertThat(
              stores
                  .keys()
                  .findById("acme", ring.key().id())
                  .orElseThrow()
                  .version(1)
                  .orElseThrow()
                  .material())
          .isEqualTo(candidates.get(won.indexOf(true)));
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- settings

  @Test
  void settingIsPutOnce() {
    assertThat(stores.settings().get("audit-key")).isEmpty();
    byte[] first = randomBytes(80);
    byte[] second = randomBytes(80);

    assertThat(stores.settings().putIfAbsent("audit-key", first)).isEqualTo(first);
    assertThat(stores.settings().putIfAbsent("audit-key", second)).isEqualTo(first);
    assertThat(stores.settings().get("audit-key"))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(first));
    assertThat(stores.settings().get("other")).isEmpty();

    byte[] copy = stores.settings().get("audit-key").orElseThrow();
    copy[0] ^= 1;
    assertThat(stores.settings().get("audit-key").orElseThrow()).isEqualTo(first);
  }

  @Test
  void settingIsReplacedOnlyWhileItIsTheExpectedBytes() {
    byte[] first = randomBytes(80);
    byte[] second = randomBytes(81);
    byte[] third = randomBytes(82);

    assertThat(stores.settings().replace("audit-key", first, second)).isFalse();
    assertThat(stores.settings().get("audit-key")).isEmpty();

    stores.settings().putIfAbsent("audit-key", first);
    stores.settings().putIfAbsent("other", third);
    assertThat(stores.settings().replace("audit-key", second, third)).isFalse();
    assertThat(stores.settings().get("audit-key").orElseThrow()).isEqualTo(first);

    assertThat(stores.settings().replace("audit-key", first.clone(), second)).isTrue();
    assertThat(stores.settings().get("audit-key").orElseThrow()).isEqualTo(second);
    assertThat(stores.settings().get("other").orElseThrow()).isEqualTo(third);

    // the old bytes are gone, so a second replacement from them fails
    assertThat(stores.settings().replace("audit-key", first, third)).isFalse();
    assertThat(stores.settings().get("audit-key").orElseThrow()).isEqualTo(second);
  }

  // ---------------------------------------------------------------- audit

  @Test
  void emptyAuditLogHasNoHeadAndVerifies() {
    assertThat(stores.audit().head()).isEmpty();
    assertThat(stores.audit().scan(0, 10)).isEmpty();
    assertThat(stores.audit().list("acme", 0, 10)).isEmpty();
    AuditChain.Verification v = chain.verify(stores.audit(), 10);
    assertThat(v.ok()).isTrue();
    assertThat(v.records()).isZero();
  }

  @Test
  void auditAppendsChainInOrder() {
    List<AuditEvent> first = List.of(event("acme", "r1"), event("globex", "r2"));
    List<AuditEvent> second = List.of(oddEvent("r3"));
    List<AuditEvent> third = List.of(event("acme", "r4"), event("acme", "r5"), event(null, "r6"));
    stores.audit().append(first).join();
    stores.audit().append(second).join();
    stores.audit().append(third).join();

    List<AuditEvent> expected = new ArrayList<>();
    expected.addAll(first);
    expected.addAll(second);
    expected.addAll(third);
    List<AuditRecord> records = stores.audit().scan(0, 100);
    assertThat(records).extracting(AuditRecord::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(records).extracting(AuditRecord::event).isEqualTo(expected);

    byte[] prev = AuditChain.genesis();
    for (AuditRecord r : records) {
      assertThat(r.mac()).isEqualTo(chain.mac(prev, r.seq(), r.event()));
      prev = r.mac();
    }
    assertThat(stores.audit().head()).contains(new AuditLog.Head(6, prev));

    AuditChain.Verification v = chain.verify(stores.audit(), 4);
    assertThat(v.ok()).as(String.valueOf(v.reason())).isTrue();
    assertThat(v.records()).isEqualTo(6);
    assertThat(new AuditChain(randomBytes(32)).verify(stores.audit(), 4).ok()).isFalse();
  }

  @Test
  void auditIsScannedAndListedPerTenantInPages() {
    for (int i = 1; i <= 10; i++) {
      stores.audit().append(List.of(event(i % 3 == 0 ? "globex" : "acme", "r" + i))).join();
    }

    assertThat(stores.audit().scan(0, 4))
        .extracting(AuditRecord::seq)
        .containsExactly(1L, 2L, 3L, 4L);
    assertThat(stores.audit().scan(4, 4))
        .extracting(AuditRecord::seq)
        .containsExactly(5L, 6L, 7L, 8L);
    assertThat(stores.audit().scan(8, 4)).extracting(AuditRecord::seq).containsExactly(9L, 10L);
    assertThat(stores.audit().scan(10, 4)).isEmpty();

    assertThat(stores.audit().list("globex", 0, 100))
        .extracting(AuditRecord::seq)
        .containsExactly(3L, 6L, 9L);
    assertThat(stores.audit().list("acme", 0, 3))
        .extracting(AuditRecord::seq)
        .containsExactly(1L, 2L, 4L);
    assertThat(stores.audit().list("acme", 4, 3))
        .extracting(AuditRecord::seq)
        .containsExactly(5L, 7L, 8L);
    assertThat(stores.audit().list("acme", 8, 3)).extracting(AuditRecord::seq).containsExactly(10L);
    assertThat(stores.audit().list("acme", 5, 100))
        .allSatisfy(r -> assertThat(r.event().tenant()).isEqualTo("acme"));
    assertThat(stores.audit().list("initech", 0, 100)).isEmpty();
    assertThat(stores.audit().list("globex", 0, 100).get(1).event().requestId()).isEqualTo("r6");
  }

  @Test
  void concurrentAuditAppendsFormOneChainWithoutGaps() throws Exception {
    int threads = 8;
    int appendsPerThread = 15;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<List<List<String>>> batchesByThread = new ArrayList<>();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Random r = new Random(1000L + t);
        List<List<String>> batches = new ArrayList<>();
        for (int a = 0; a < appendsPerThread; a++) {
          List<String> ids = new ArrayList<>();
          int n = 1 + r.nextInt(3);
          for (int i = 0; i < n; i++) {
            ids.add("t" + t + "-a" + a + "-e" + i);
          }
          batches.add(ids);
        }
        batchesByThread.add(batches);
        String tenant = t % 2 == 0 ? "acme" : "globex";
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (List<String> ids : batches) {
                    stores
                        .audit()
                        .append(ids.stream().map(id -> event(tenant, id)).toList())
                        .get(60, TimeUnit.SECONDS);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    List<AuditRecord> all = new ArrayList<>();
    long after = 0;
    while (true) {
      List<AuditRecord> page = stores.audit().scan(after, 50);
      if (page.isEmpty()) {
        break;
      }
      all.addAll(page);
      after = page.get(page.size() - 1).seq();
    }
    int total = batchesByThread.stream().flatMap(List::stream).mapToInt(List::size).sum();
    assertThat(all).hasSize(total);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).seq()).isEqualTo(i + 1L);
    }
    Map<String, Long> seqById = new HashMap<>();
    for (AuditRecord r : all) {
      assertThat(seqById.put(r.event().requestId(), r.seq())).isNull();
    }
    Set<String> expectedIds = new HashSet<>();
    for (List<List<String>> batches : batchesByThread) {
      long lastOfThread = 0;
      for (List<String> ids : batches) {
        for (String id : ids) {
          assertThat(seqById).containsKey(id);
          // appends are in order: within a batch and across one thread's successive batches
          assertThat(seqById.get(id)).isGreaterThan(lastOfThread);
          lastOfThread = seqById.get(id);
          expectedIds.add(id);
        }
      }
    }
    assertThat(seqById.keySet()).isEqualTo(expectedIds);
    assertThat(stores.audit().head().orElseThrow().seq()).isEqualTo(total);
    AuditChain.Verification v = chain.verify(stores.audit(), 37);
    assertThat(v.ok()).as(String.valueOf(v.reason())).isTrue();
    assertThat(v.records()).isEqualTo(total);
  }

  // ---------------------------------------------------------------- helpers

  /** Creates tenants {@code acme} and {@code globex}, for stores that enforce references. */
  protected void givenTenants() {
    stores.tenants().create(new Tenant("acme", null, T0));
    stores.tenants().create(new Tenant("globex", null, T0));
  }

  protected void givenPrincipal(String tenant, String name) {
    stores.principals().create(new Principal(tenant, name, Set.of(Role.KEY_USER), T0));
  }

  protected static void assertCode(ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call)
        .isInstanceOf(KmsException.class)
        .satisfies(e -> assertThat(((KmsException) e).code()).isEqualTo(code));
  }

  protected static void assertSameMillis(Instant actual, Instant expected) {
    assertThat(actual).isNotNull();
    assertThat(actual.toEpochMilli()).isEqualTo(expected.toEpochMilli());
  }

  protected static void assertSameRing(KeyRing actual, KeyRing expected) {
    assertThat(ms(actual.key())).isEqualTo(ms(expected.key()));
    assertThat(actual.versions().stream().map(StoreContract::ms).toList())
        .isEqualTo(expected.versions().stream().map(StoreContract::ms).toList());
  }

  protected static Instant ms(Instant t) {
    return t == null ? null : Instant.ofEpochMilli(t.toEpochMilli());
  }

  protected static Tenant ms(Tenant t) {
    return new Tenant(t.name(), t.description(), ms(t.createdAt()));
  }

  protected static Key ms(Key k) {
    return new Key(
        k.tenant(),
        k.id(),
        k.name(),
        k.protection(),
        k.state(),
        k.rotationPeriod(),
        ms(k.nextRotationAt()),
        k.description(),
        k.labels(),
        k.primaryVersion(),
        k.latestVersion(),
        k.minEncryptVersion(),
        k.minDecryptVersion(),
        ms(k.destroyAt()),
        k.revision(),
        ms(k.createdAt()),
        ms(k.updatedAt()));
  }

  protected static KeyVersion ms(KeyVersion v) {
    return new KeyVersion(
        v.number(), v.state(), v.protection(), v.material(), ms(v.createdAt()), ms(v.destroyAt()));
  }

  protected String newKeyId() {
    return HexFormat.of().formatHex(randomBytes(16));
  }

  protected byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** A plain ENABLED SOFTWARE key at revision 1 with one version. */
  protected Key key(String tenant, String name) {
    return new Key(
        tenant,
        newKeyId(),
        name,
        ProtectionLevel.SOFTWARE,
        KeyState.ENABLED,
        null,
        null,
        null,
        Map.of(),
        1,
        1,
        1,
        1,
        null,
        1,
        T0,
        T0);
  }

  /** A key with every optional setting filled in. */
  protected Key fullKey(String tenant, String name) {
    return new Key(
        tenant,
        newKeyId(),
        name,
        ProtectionLevel.SOFTWARE,
        KeyState.ENABLED,
        Duration.ofDays(90),
        T0.plus(Duration.ofDays(90)),
        "orders of the EU shop — “ünïcode”",
        Map.of("team", "payments", "cost-center", "4711"),
        1,
        1,
        1,
        1,
        null,
        1,
        T0,
        T0.plusMillis(5));
  }

  protected static Key shaped(
      Key k,
      int primary,
      int latest,
      int minEncrypt,
      int minDecrypt,
      KeyState state,
      Instant destroyAt) {
    return new Key(
        k.tenant(),
        k.id(),
        k.name(),
        k.protection(),
        state,
        k.rotationPeriod(),
        k.nextRotationAt(),
        k.description(),
        k.labels(),
        primary,
        latest,
        minEncrypt,
        minDecrypt,
        destroyAt,
        k.revision(),
        k.createdAt(),
        k.updatedAt());
  }

  protected KeyVersion version(int number, KeyState state) {
    return new KeyVersion(number, state, ProtectionLevel.SOFTWARE, randomBytes(73), T0, null);
  }

  protected KeyVersion scheduledVersion(int number, Instant destroyAt) {
    return new KeyVersion(
        number,
        KeyState.DESTROY_SCHEDULED,
        ProtectionLevel.SOFTWARE,
        randomBytes(73),
        T0,
        destroyAt);
  }

  protected static KeyRing ringOf(Key k, KeyVersion... versions) {
    return new KeyRing(k, List.of(versions));
  }

  /**
   * An event with every field set (but a null tenant, principal and context when {@code tenant} is
   * null); the record itself drops the sub-millisecond part of the time.
   */
  protected static AuditEvent event(String tenant, String requestId) {
    return new AuditEvent(
        T0,
        requestId,
        tenant,
        tenant == null ? null : tenant + "/alice",
        "encrypt",
        "orders",
        3,
        tenant == null ? null : Map.of("purpose", "backup", "volume", "vol-0001"),
        "OK",
        null,
        "10.0.0.1");
  }

  /** An event with nulls, an empty context, an error and non-ASCII text. */
  protected static AuditEvent oddEvent(String requestId) {
    return new AuditEvent(
        T0.plusSeconds(1),
        requestId,
        "acme",
        null,
        "decrypt",
        null,
        null,
        Map.of(),
        "ERROR",
        "INVALID_CIPHERTEXT",
        "2001:db8::1 — “zürich”");
  }

  /** The order of {@link KeyStore#scanVersions}: tenant, key id, version. */
  protected static final Comparator<VersionRef> VERSION_ORDER =
      Comparator.comparing(VersionRef::tenant)
          .thenComparing(VersionRef::keyId)
          .thenComparingInt(VersionRef::version);

  protected static List<VersionRef> refs(List<KeyStore.StoredVersion> versions) {
    return versions.stream().map(KeyStore.StoredVersion::ref).toList();
  }

  protected static Key withProtection(Key k, ProtectionLevel protection) {
    return new Key(
        k.tenant(),
        k.id(),
        k.name(),
        protection,
        k.state(),
        k.rotationPeriod(),
        k.nextRotationAt(),
        k.description(),
        k.labels(),
        k.primaryVersion(),
        k.latestVersion(),
        k.minEncryptVersion(),
        k.minDecryptVersion(),
        k.destroyAt(),
        k.revision(),
        k.createdAt(),
        k.updatedAt());
  }

  private static List<String> tenantNames(List<Tenant> tenants) {
    return tenants.stream().map(Tenant::name).toList();
  }

  private static List<String> keyNames(List<Key> keys) {
    return keys.stream().map(Key::name).toList();
  }
}
