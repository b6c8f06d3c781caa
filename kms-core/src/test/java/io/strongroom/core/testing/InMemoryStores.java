package io.strongroom.core.testing;

import io.strongroom.core.ErrorCode;
import io.strongroom.core.Key;
import io.strongroom.core.KeyRing;
import io.strongroom.core.KeyState;
import io.strongroom.core.KeyVersion;
import io.strongroom.core.KmsException;
import io.strongroom.core.Principal;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.Tenant;
import io.strongroom.core.TokenRecord;
import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.audit.AuditEvent;
import io.strongroom.core.audit.AuditLog;
import io.strongroom.core.audit.AuditRecord;
import io.strongroom.core.custody.VersionRef;
import io.strongroom.core.store.KeyStore;
import io.strongroom.core.store.PrincipalStore;
import io.strongroom.core.store.SettingStore;
import io.strongroom.core.store.Stores;
import io.strongroom.core.store.TenantStore;
import io.strongroom.core.store.TokenStore;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * FAKE in-memory implementations of every store port and of the audit log, for tests only. They
 * keep the semantics the ports' Javadoc states (and that {@code StoreContract} checks), including
 * that instants are kept at millisecond precision as the JDBC stores keep epoch millis. Every
 * method is synchronized: correctness, not throughput.
 */
public final class InMemoryStores {
  private InMemoryStores() {}

  /** A fresh, empty set of in-memory stores whose audit log chains with {@code chain}. */
  public static Stores create(AuditChain chain) {
    return new Stores(
        new Tenants(),
        new Principals(),
        new Tokens(),
        new Keys(),
        new Settings(),
        new Audit(chain),
        () -> {});
  }

  /** The in-memory audit log of a store set made by {@link #create}. */
  public static Audit audit(Stores stores) {
    return (Audit) stores.audit();
  }

  static Instant millis(Instant t) {
    return t == null ? null : Instant.ofEpochMilli(t.toEpochMilli());
  }

  private static KmsException alreadyExists(String what) {
    return new KmsException(ErrorCode.ALREADY_EXISTS, what + " already exists");
  }

  /** FAKE {@link TenantStore}. */
  public static final class Tenants implements TenantStore {
    private final TreeMap<String, Tenant> byName = new TreeMap<>();

    @Override
    public synchronized void create(Tenant tenant) {
      if (byName.containsKey(tenant.name())) {
        throw alreadyExists("tenant '" + tenant.name() + "'");
      }
      byName.put(
          tenant.name(),
          new Tenant(tenant.name(), tenant.description(), millis(tenant.createdAt())));
    }

    @Override
    public synchronized Optional<Tenant> find(String name) {
      return Optional.ofNullable(byName.get(name));
    }

    @Override
    public synchronized List<Tenant> list(String afterName, int limit) {
      Map<String, Tenant> tail = afterName == null ? byName : byName.tailMap(afterName, false);
      return tail.values().stream().limit(limit).toList();
    }
  }

  /** FAKE {@link PrincipalStore}. */
  public static final class Principals implements PrincipalStore {
    private record PrincipalId(String tenant, String name) {}

    private final Map<PrincipalId, Principal> byId = new HashMap<>();

    @Override
    public synchronized void create(Principal p) {
      PrincipalId id = new PrincipalId(p.tenant(), p.name());
      if (byId.containsKey(id)) {
        throw alreadyExists("principal '" + p.name() + "'");
      }
      byId.put(id, new Principal(p.tenant(), p.name(), p.roles(), millis(p.createdAt())));
    }

    @Override
    public synchronized Optional<Principal> find(String tenant, String name) {
      return Optional.ofNullable(byId.get(new PrincipalId(tenant, name)));
    }
  }

  /** FAKE {@link TokenStore}. */
  public static final class Tokens implements TokenStore {
    private final Map<String, TokenRecord> byId = new HashMap<>();
    private final Map<ByteBuffer, String> idByHash = new HashMap<>();

    @Override
    public synchronized void create(TokenRecord t) {
      ByteBuffer hash = ByteBuffer.wrap(t.hash());
      if (byId.containsKey(t.id()) || idByHash.containsKey(hash)) {
        throw alreadyExists("token '" + t.id() + "'");
      }
      byId.put(t.id(), normalize(t, t.revokedAt()));
      idByHash.put(hash, t.id());
    }

    @Override
    public synchronized Optional<TokenRecord> findByHash(byte[] hash) {
      String id = idByHash.get(ByteBuffer.wrap(hash.clone()));
      return id == null ? Optional.empty() : Optional.of(byId.get(id));
    }

    @Override
    public synchronized boolean revoke(String tenant, String principal, String id, Instant at) {
      TokenRecord t = byId.get(id);
      if (t == null || !t.tenant().equals(tenant) || !t.principal().equals(principal)) {
        return false;
      }
      if (t.revokedAt() == null) {
        byId.put(id, normalize(t, at));
      }
      return true;
    }

    private static TokenRecord normalize(TokenRecord t, Instant revokedAt) {
      return new TokenRecord(
          t.id(),
          t.tenant(),
          t.principal(),
          t.hash(),
          t.description(),
          millis(t.createdAt()),
          millis(t.expiresAt()),
          millis(revokedAt));
    }
  }

  /** FAKE {@link KeyStore}: key rows and version rows kept apart, as a database keeps them. */
  public static final class Keys implements KeyStore {
    private record KeyId(String tenant, String id) {}

    private record KeyName(String tenant, String name) {}

    private final Map<KeyId, Key> keys = new HashMap<>();
    private final Map<KeyId, TreeMap<Integer, KeyVersion>> versions = new HashMap<>();
    private final Map<KeyName, String> idByName = new HashMap<>();

    @Override
    public synchronized void create(KeyRing ring) {
      Key k = ring.key();
      KeyId id = new KeyId(k.tenant(), k.id());
      KeyName name = new KeyName(k.tenant(), k.name());
      if (idByName.containsKey(name)) {
        throw alreadyExists("key '" + k.name() + "'");
      }
      if (keys.containsKey(id)) {
        throw alreadyExists("key id " + k.id());
      }
      keys.put(id, normalize(k));
      TreeMap<Integer, KeyVersion> vs = new TreeMap<>();
      for (KeyVersion v : ring.versions()) {
        vs.put(v.number(), normalize(v));
      }
      versions.put(id, vs);
      idByName.put(name, k.id());
    }

    @Override
    public synchronized Optional<KeyRing> findByName(String tenant, String name) {
      String id = idByName.get(new KeyName(tenant, name));
      return id == null ? Optional.empty() : findById(tenant, id);
    }

    @Override
    public synchronized Optional<KeyRing> findById(String tenant, String id) {
      KeyId k = new KeyId(tenant, id);
      Key key = keys.get(k);
      return key == null ? Optional.empty() : Optional.of(ring(k, key));
    }

    @Override
    public synchronized List<Key> list(String tenant, String afterName, int limit) {
      return keys.values().stream()
          .filter(k -> k.tenant().equals(tenant))
          .filter(k -> afterName == null || k.name().compareTo(afterName) > 0)
          .sorted(Comparator.comparing(Key::name))
          .limit(limit)
          .toList();
    }

    @Override
    public synchronized KeyRing update(KeyRing.Update update, long expectedRevision) {
      Key k = update.ring().key();
      KeyId id = new KeyId(k.tenant(), k.id());
      Key stored = keys.get(id);
      if (stored == null || stored.revision() != expectedRevision) {
        throw KmsException.conflict(
            "key '"
                + k.name()
                + "' was changed concurrently"
                + (stored == null ? "" : " (now at revision " + stored.revision() + ")"));
      }
      if (!stored.name().equals(k.name())) {
        throw new IllegalArgumentException("a key's name never changes");
      }
      Key saved = normalize(k.withRevision(expectedRevision + 1));
      keys.put(id, saved);
      TreeMap<Integer, KeyVersion> vs = versions.get(id);
      for (KeyVersion v : update.changed()) {
        KeyVersion existing = vs.get(v.number());
        KeyVersion keep =
            existing == null || v.material() == null
                ? v
                : new KeyVersion(
                    v.number(),
                    v.state(),
                    v.protection(),
                    existing.material(),
                    v.createdAt(),
                    v.destroyAt());
        vs.put(v.number(), normalize(keep));
      }
      return ring(id, saved);
    }

    @Override
    public synchronized List<KeyRef> destroyDue(Instant now, int limit) {
      List<KeyRef> due = new ArrayList<>();
      for (Map.Entry<KeyId, Key> e : keys.entrySet()) {
        Key k = e.getValue();
        boolean keyDue =
            k.state() == KeyState.DESTROY_SCHEDULED
                && k.destroyAt() != null
                && !k.destroyAt().isAfter(now);
        boolean versionDue =
            versions.get(e.getKey()).values().stream()
                .anyMatch(
                    v ->
                        v.state() == KeyState.DESTROY_SCHEDULED
                            && v.destroyAt() != null
                            && !v.destroyAt().isAfter(now));
        if (keyDue || versionDue) {
          due.add(new KeyRef(k.tenant(), k.id()));
        }
      }
      return due.stream()
          .sorted(Comparator.comparing(KeyRef::tenant).thenComparing(KeyRef::id))
          .limit(limit)
          .toList();
    }

    @Override
    public synchronized List<StoredVersion> scanVersions(
        ProtectionLevel protection, VersionRef after, int limit) {
      Comparator<VersionRef> order =
          Comparator.comparing(VersionRef::tenant)
              .thenComparing(VersionRef::keyId)
              .thenComparingInt(VersionRef::version);
      List<StoredVersion> found = new ArrayList<>();
      for (Map.Entry<KeyId, TreeMap<Integer, KeyVersion>> e : versions.entrySet()) {
        for (KeyVersion v : e.getValue().values()) {
          VersionRef ref = new VersionRef(e.getKey().tenant(), e.getKey().id(), v.number());
          if (v.protection() == protection
              && v.material() != null
              && (after == null || order.compare(ref, after) > 0)) {
            found.add(new StoredVersion(ref, v));
          }
        }
      }
      return found.stream()
          .sorted(Comparator.comparing(StoredVersion::ref, order))
          .limit(limit)
          .toList();
    }

    @Override
    public synchronized boolean replaceMaterial(
        VersionRef ref, byte[] expected, byte[] replacement) {
      TreeMap<Integer, KeyVersion> vs = versions.get(new KeyId(ref.tenant(), ref.keyId()));
      KeyVersion v = vs == null ? null : vs.get(ref.version());
      if (v == null || v.material() == null || !Arrays.equals(v.material(), expected)) {
        return false;
      }
      vs.put(
          v.number(),
          new KeyVersion(
              v.number(), v.state(), v.protection(), replacement, v.createdAt(), v.destroyAt()));
      return true;
    }

    private KeyRing ring(KeyId id, Key key) {
      return new KeyRing(key, List.copyOf(versions.get(id).values()));
    }

    private static Key normalize(Key k) {
      return new Key(
          k.tenant(),
          k.id(),
          k.name(),
          k.protection(),
          k.state(),
          k.rotationPeriod(),
          millis(k.nextRotationAt()),
          k.description(),
          k.labels(),
          k.primaryVersion(),
          k.latestVersion(),
          k.minEncryptVersion(),
          k.minDecryptVersion(),
          millis(k.destroyAt()),
          k.revision(),
          millis(k.createdAt()),
          millis(k.updatedAt()));
    }

    private static KeyVersion normalize(KeyVersion v) {
      return new KeyVersion(
          v.number(),
          v.state(),
          v.protection(),
          v.material(),
          millis(v.createdAt()),
          millis(v.destroyAt()));
    }
  }

  /** FAKE {@link SettingStore}. */
  public static final class Settings implements SettingStore {
    private final Map<String, byte[]> values = new HashMap<>();

    @Override
    public synchronized Optional<byte[]> get(String name) {
      byte[] v = values.get(name);
      return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    @Override
    public synchronized byte[] putIfAbsent(String name, byte[] value) {
      return values.computeIfAbsent(name, n -> value.clone()).clone();
    }

    @Override
    public synchronized boolean replace(String name, byte[] expected, byte[] replacement) {
      byte[] v = values.get(name);
      if (v == null || !Arrays.equals(v, expected)) {
        return false;
      }
      values.put(name, replacement.clone());
      return true;
    }
  }

  /**
   * FAKE {@link AuditLog}: appends chain with the {@link AuditChain} given to the constructor, and
   * the head is kept apart from the records as a database keeps it. {@link #tamper()} edits the
   * stored records the way an attacker with write access to the table could.
   */
  public static final class Audit implements AuditLog {
    private final AuditChain chain;
    private final TreeMap<Long, AuditRecord> records = new TreeMap<>();
    private Head head;

    public Audit(AuditChain chain) {
      this.chain = chain;
    }

    @Override
    public synchronized CompletableFuture<Void> append(List<AuditEvent> events) {
      long seq = head == null ? 0 : head.seq();
      byte[] mac = head == null ? AuditChain.genesis() : head.mac();
      for (AuditEvent e : events) {
        seq++;
        mac = chain.mac(mac, seq, e);
        records.put(seq, new AuditRecord(seq, e, mac));
        head = new Head(seq, mac);
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized List<AuditRecord> list(String tenant, long afterSeq, int limit) {
      return records.tailMap(afterSeq, false).values().stream()
          .filter(r -> tenant.equals(r.event().tenant()))
          .limit(limit)
          .toList();
    }

    @Override
    public synchronized List<AuditRecord> scan(long afterSeq, int limit) {
      return records.tailMap(afterSeq, false).values().stream().limit(limit).toList();
    }

    @Override
    public synchronized Optional<Head> head() {
      return Optional.ofNullable(head);
    }

    /** Write access to the stored records, bypassing the chain. */
    public Tamper tamper() {
      return new Tamper();
    }

    /** Edits of stored records and of the head, as an attacker with table access could make. */
    public final class Tamper {
      private Tamper() {}

      /** Replaces the event of record {@code seq}, keeping its seq and mac. */
      public void edit(long seq, UnaryOperator<AuditEvent> change) {
        synchronized (Audit.this) {
          AuditRecord r = require(seq);
          records.put(seq, new AuditRecord(seq, change.apply(r.event()), r.mac()));
        }
      }

      /** Replaces the mac of record {@code seq}. */
      public void setMac(long seq, byte[] mac) {
        synchronized (Audit.this) {
          AuditRecord r = require(seq);
          records.put(seq, new AuditRecord(seq, r.event(), mac));
        }
      }

      /** Deletes record {@code seq}, leaving a gap. */
      public void delete(long seq) {
        synchronized (Audit.this) {
          require(seq);
          records.remove(seq);
        }
      }

      /** Exchanges the contents (event and mac) of two records; each keeps its seq. */
      public void swap(long a, long b) {
        synchronized (Audit.this) {
          AuditRecord ra = require(a);
          AuditRecord rb = require(b);
          records.put(a, new AuditRecord(a, rb.event(), rb.mac()));
          records.put(b, new AuditRecord(b, ra.event(), ra.mac()));
        }
      }

      /** Deletes every record after {@code seq}; the head is left as it was. */
      public void truncateAfter(long seq) {
        synchronized (Audit.this) {
          records.tailMap(seq, false).clear();
        }
      }

      /** Overwrites the head. */
      public void setHead(Head newHead) {
        synchronized (Audit.this) {
          head = newHead;
        }
      }

      private AuditRecord require(long seq) {
        AuditRecord r = records.get(seq);
        if (r == null) {
          throw new IllegalArgumentException("no record " + seq);
        }
        return r;
      }
    }
  }
}
