package io.strongroom.core.service;

import io.strongroom.core.Caller;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.KeyRing;
import io.strongroom.core.KeyVersion;
import io.strongroom.core.KmsException;
import io.strongroom.core.Role;
import io.strongroom.core.crypto.CiphertextBlob;
import io.strongroom.core.crypto.Drbg;
import io.strongroom.core.crypto.EncryptionContext;
import io.strongroom.core.custody.Custodians;
import io.strongroom.core.custody.KeyCustodian;
import io.strongroom.core.custody.VersionRef;
import io.strongroom.core.service.CryptoResults.DataKey;
import io.strongroom.core.service.CryptoResults.Decrypted;
import io.strongroom.core.service.CryptoResults.Encrypted;
import io.strongroom.core.service.CryptoResults.ReEncrypted;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Envelope-encryption use cases: encrypt, decrypt, generate data keys, re-encrypt, and their batch
 * form. Keys come from the {@link KeyRingCache}; no store round trip on the hot path. Plaintext
 * never appears in an exception message or a log.
 */
public final class CryptoService {
  public static final int MAX_PLAINTEXT = 64 * 1024;
  public static final int MAX_BATCH = 1000;
  public static final int MIN_DATA_KEY = 16;
  public static final int MAX_DATA_KEY = 64;
  public static final int DEFAULT_DATA_KEY = 32;

  private final KeyRingCache keys;
  private final Custodians custodians;

  public CryptoService(KeyRingCache keys, Custodians custodians) {
    this.keys = keys;
    this.custodians = custodians;
  }

  /**
   * Encrypts up to 64 KiB under the key's primary version.
   *
   * @throws KmsException NOT_FOUND, PERMISSION_DENIED, PAYLOAD_TOO_LARGE, INVALID_ARGUMENT,
   *     FAILED_PRECONDITION, UNAVAILABLE
   */
  public Encrypted encrypt(
      Caller caller, String tenant, String keyName, byte[] plaintext, Map<String, String> context) {
    return sealing(caller, tenant, keyName, plaintext, context).run();
  }

  /**
   * Generates a random data key of 16–64 bytes (default 32) and returns it wrapped, and in
   * plaintext when {@code includePlaintext}.
   */
  public DataKey generateDataKey(
      Caller caller,
      String tenant,
      String keyName,
      Integer bytes,
      Map<String, String> context,
      boolean includePlaintext) {
    return dataKey(
            caller, tenant, keyName, bytes, context, includePlaintext, CryptoService::randomBytes)
        .run();
  }

  /**
   * Decrypts a blob made for this tenant with the same context.
   *
   * @throws KmsException INVALID_CIPHERTEXT for a malformed, tampered or foreign blob or a wrong
   *     context; FAILED_PRECONDITION for a disabled key or version or one below the floor
   */
  public Decrypted decrypt(
      Caller caller, String tenant, byte[] ciphertext, Map<String, String> context) {
    return opening(caller, tenant, ciphertext, context).run();
  }

  /**
   * Decrypts and encrypts again under the destination key's primary version (default: the same key)
   * and context (default: the same context); the plaintext never leaves the server.
   */
  public ReEncrypted reEncrypt(
      Caller caller,
      String tenant,
      byte[] ciphertext,
      Map<String, String> context,
      String destinationKey,
      Map<String, String> destinationContext) {
    return reEncrypting(caller, tenant, ciphertext, context, destinationKey, destinationContext)
        .run();
  }

  /** The outcome of one batch item: a result or an error, never both. */
  public record BatchOutcome(Object result, KmsException error) {}

  /**
   * Runs up to 1000 items in order; each yields its own result or error.
   *
   * <p>In three passes, so that the custodians' resources (an HSM session) serve custodian calls
   * only: every item is first checked and prepared (access, context, key version, AAD, data key
   * bytes); then the custodian calls run in one scope of the custodians' ({@link
   * Custodians#keepResources}), which a batch whose items all failed never opens; then the blobs
   * and results are built.
   *
   * @throws KmsException INVALID_ARGUMENT for an empty or oversized batch, NOT_FOUND for a foreign
   *     tenant, PERMISSION_DENIED without the key-user role
   */
  public List<BatchOutcome> batch(Caller caller, String tenant, List<BatchItem> items) {
    Access.require(caller, tenant, Access.tenantMissing(tenant), "batch", Role.KEY_USER);
    if (items == null || items.isEmpty() || items.size() > MAX_BATCH) {
      throw KmsException.invalidArgument("items must hold 1 to 1000 entries");
    }
    int n = items.size();
    int dataKeys = 0;
    for (BatchItem item : items) {
      if (item instanceof BatchItem.GenerateDataKey) {
        dataKeys++;
      }
    }
    Step<?>[] steps = new Step<?>[n];
    KmsException[] errors = new KmsException[n];
    try (KeyBytes keyBytes = new KeyBytes(dataKeys * DEFAULT_DATA_KEY)) {
      boolean anyPrepared = false;
      for (int i = 0; i < n; i++) {
        try {
          steps[i] = prepare(caller, tenant, items.get(i), keyBytes);
          anyPrepared = true;
        } catch (KmsException e) {
          errors[i] = e;
        }
      }
      if (anyPrepared) {
        KeyCustodian.Scope kept = custodians.keepResources();
        try {
          for (int i = 0; i < n; i++) {
            if (steps[i] != null) {
              try {
                steps[i].call();
              } catch (KmsException e) {
                errors[i] = e;
              }
            }
          }
        } finally {
          kept.close();
        }
      }
    }
    List<BatchOutcome> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          errors[i] != null
              ? new BatchOutcome(null, errors[i])
              : new BatchOutcome(steps[i].result(), null));
    }
    return out;
  }

  private Step<?> prepare(Caller caller, String tenant, BatchItem item, KeyBytes keyBytes) {
    return switch (item) {
      case BatchItem.Encrypt e -> sealing(caller, tenant, e.keyName(), e.plaintext(), e.context());
      case BatchItem.GenerateDataKey g ->
          dataKey(
              caller,
              tenant,
              g.keyName(),
              g.bytes(),
              g.context(),
              g.includePlaintext(),
              keyBytes::next);
      case BatchItem.Decrypt d -> opening(caller, tenant, d.ciphertext(), d.context());
      case BatchItem.ReEncrypt r ->
          reEncrypting(
              caller,
              tenant,
              r.ciphertext(),
              r.context(),
              r.destinationKey(),
              r.destinationContext());
    };
  }

  // ---- the use cases as prepared steps ---------------------------------------------------------

  /**
   * One use case, checked and prepared: {@link #call} makes its custodian calls, {@link #result}
   * builds what it returns. Preparing and {@link #result} never call a custodian, so that a batch
   * can keep the custodians' resources for the calls alone.
   */
  private interface Step<T> {
    /** The custodian calls. */
    void call();

    /** After {@link #call}: the result. */
    T result();

    default T run() {
      call();
      return result();
    }
  }

  private Sealing sealing(
      Caller caller, String tenant, String keyName, byte[] plaintext, Map<String, String> context) {
    Access.require(caller, tenant, Access.keyMissing(tenant, keyName), "encrypt", Role.KEY_USER);
    if (plaintext == null) {
      throw KmsException.invalidArgument("plaintext is required");
    }
    if (plaintext.length > MAX_PLAINTEXT) {
      throw new KmsException(ErrorCode.PAYLOAD_TOO_LARGE, "plaintext must be at most 65536 bytes");
    }
    return new Sealing(
        tenant, ringByName(tenant, keyName), plaintext, EncryptionContext.of(context));
  }

  private Step<DataKey> dataKey(
      Caller caller,
      String tenant,
      String keyName,
      Integer bytes,
      Map<String, String> context,
      boolean includePlaintext,
      IntFunction<byte[]> random) {
    Access.require(
        caller, tenant, Access.keyMissing(tenant, keyName), "generate-data-key", Role.KEY_USER);
    int n = bytes == null ? DEFAULT_DATA_KEY : bytes;
    if (n < MIN_DATA_KEY || n > MAX_DATA_KEY) {
      throw KmsException.invalidArgument("bytes must be between 16 and 64");
    }
    EncryptionContext ctx = EncryptionContext.of(context);
    KeyRing ring = ringByName(tenant, keyName);
    byte[] dataKey = random.apply(n);
    Sealing sealing;
    try {
      sealing = new Sealing(tenant, ring, dataKey, ctx);
    } catch (KmsException e) {
      Arrays.fill(dataKey, (byte) 0);
      throw e;
    }
    return new Step<>() {
      @Override
      public void call() {
        try {
          sealing.call();
        } catch (KmsException e) {
          Arrays.fill(sealing.plaintext, (byte) 0);
          throw e;
        }
      }

      @Override
      public DataKey result() {
        Encrypted e = sealing.result();
        byte[] plaintext = sealing.plaintext;
        if (!includePlaintext) {
          Arrays.fill(plaintext, (byte) 0);
        }
        return new DataKey(
            e.ciphertext(), includePlaintext ? plaintext : null, e.key(), e.keyVersion());
      }
    };
  }

  private Opening opening(
      Caller caller, String tenant, byte[] ciphertext, Map<String, String> context) {
    Access.require(caller, tenant, Access.tenantMissing(tenant), "decrypt", Role.KEY_USER);
    return new Opening(tenant, ciphertext, EncryptionContext.of(context));
  }

  /**
   * Re-encryption prepares its decryption only: which version encrypts, and under which context, is
   * settled after the decryption succeeded, so a blob that does not open is reported as such
   * whatever the destination.
   */
  private Step<ReEncrypted> reEncrypting(
      Caller caller,
      String tenant,
      byte[] ciphertext,
      Map<String, String> context,
      String destinationKey,
      Map<String, String> destinationContext) {
    Access.require(caller, tenant, Access.tenantMissing(tenant), "re-encrypt", Role.KEY_USER);
    EncryptionContext source = EncryptionContext.of(context);
    EncryptionContext dest =
        destinationContext == null ? source : EncryptionContext.of(destinationContext);
    Opening opening = new Opening(tenant, ciphertext, source);
    return new Step<>() {
      private ReEncrypted result;

      @Override
      public void call() {
        Decrypted d = opening.run();
        try {
          KeyRing target = ringByName(tenant, destinationKey == null ? d.key() : destinationKey);
          Encrypted e = new Sealing(tenant, target, d.plaintext(), dest).run();
          result =
              new ReEncrypted(e.ciphertext(), e.key(), e.keyVersion(), d.key(), d.keyVersion());
        } finally {
          Arrays.fill(d.plaintext(), (byte) 0);
        }
      }

      @Override
      public ReEncrypted result() {
        return result;
      }
    };
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    Drbg.current().nextBytes(b);
    return b;
  }

  /**
   * Random bytes for the data keys of one batch, drawn from the thread's DRBG in one request:
   * Hash_DRBG costs about three SHA-256 compressions per request on top of one per 32 bytes, so one
   * request for the batch costs a third of one per key. Each key's bytes are copied out and wiped
   * from the pool; what is left is wiped by {@link #close}.
   */
  private static final class KeyBytes implements AutoCloseable {
    /** A Hash_DRBG request gives at most 2^16 bytes; a batch's default-sized keys fit in half. */
    private static final int MAX_POOL = 32 * 1024;

    private final byte[] pool;
    private int used;

    KeyBytes(int size) {
      pool = new byte[Math.min(size, MAX_POOL)];
      if (pool.length > 0) {
        Drbg.current().nextBytes(pool);
      }
    }

    byte[] next(int n) {
      if (used + n > pool.length) {
        return randomBytes(n);
      }
      byte[] b = Arrays.copyOfRange(pool, used, used + n);
      Arrays.fill(pool, used, used + n, (byte) 0);
      used += n;
      return b;
    }

    @Override
    public void close() {
      Arrays.fill(pool, (byte) 0);
    }
  }

  private KeyRing ringByName(String tenant, String keyName) {
    if (keyName == null) {
      throw KmsException.invalidArgument("key is required");
    }
    return keys.byName(tenant, keyName)
        .orElseThrow(() -> KmsException.notFound(Access.keyMissing(tenant, keyName)));
  }

  private KeyCustodian custodian(KeyVersion version) {
    return custodians.forLevel(version.protection());
  }

  private static VersionRef ref(String tenant, KeyRing ring, KeyVersion version) {
    return new VersionRef(tenant, ring.key().id(), version.number());
  }

  /** Encryption of {@code plaintext} under the ring's primary version. */
  private final class Sealing implements Step<Encrypted> {
    private final String tenant;
    private final KeyRing ring;
    private final KeyVersion version;
    private final byte[] plaintext;
    private final byte[] aad;
    private byte[] payload;

    Sealing(String tenant, KeyRing ring, byte[] plaintext, EncryptionContext ctx) {
      try {
        this.version = ring.encryptVersion();
      } catch (KmsException e) {
        throw e.about(ring.key().name(), ring.key().primaryVersion());
      }
      this.tenant = tenant;
      this.ring = ring;
      this.plaintext = plaintext;
      this.aad =
          CiphertextBlob.aadFor(
              tenant, ring.key().id(), version.number(), version.protection(), ctx);
    }

    @Override
    public void call() {
      try {
        payload =
            custodian(version)
                .encrypt(ref(tenant, ring, version), version.material(), plaintext, aad);
      } catch (GeneralSecurityException e) {
        throw new KmsException(ErrorCode.INTERNAL, "the custodian failed to encrypt", e);
      }
    }

    @Override
    public Encrypted result() {
      byte[] blob =
          CiphertextBlob.of(ring.key().id(), version.number(), version.protection(), payload)
              .toBytes();
      return new Encrypted(blob, ring.key().name(), version.number());
    }
  }

  /** Decryption of a blob of this tenant's with the context given. */
  private final class Opening implements Step<Decrypted> {
    private final String tenant;
    private final KeyRing ring;
    private final KeyVersion version;
    private final CiphertextBlob blob;
    private final byte[] aad;
    private byte[] plaintext;

    Opening(String tenant, byte[] ciphertext, EncryptionContext ctx) {
      if (ciphertext == null) {
        throw KmsException.invalidArgument("ciphertext is required");
      }
      this.tenant = tenant;
      this.blob = CiphertextBlob.parse(ciphertext);
      this.ring = keys.byId(tenant, blob.keyIdHex()).orElseThrow(KmsException::invalidCiphertext);
      try {
        this.version = ring.decryptVersion(blob.version());
        if (version.protection() != blob.protection()) {
          throw KmsException.invalidCiphertext();
        }
      } catch (KmsException e) {
        throw e.about(ring.key().name(), blob.version());
      }
      this.aad = blob.aad(tenant, ctx);
    }

    @Override
    public void call() {
      try {
        plaintext =
            custodian(version)
                .decrypt(ref(tenant, ring, version), version.material(), blob.payload(), aad);
      } catch (GeneralSecurityException e) {
        throw KmsException.invalidCiphertext().about(ring.key().name(), blob.version());
      } catch (KmsException e) {
        throw e.about(ring.key().name(), blob.version());
      }
    }

    @Override
    public Decrypted result() {
      return new Decrypted(plaintext, ring.key().name(), version.number());
    }
  }
}
