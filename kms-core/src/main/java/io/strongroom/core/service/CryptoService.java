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
    Access.require(caller, tenant, Access.keyMissing(tenant, keyName), "encrypt", Role.KEY_USER);
    if (plaintext == null) {
      throw KmsException.invalidArgument("plaintext is required");
    }
    if (plaintext.length > MAX_PLAINTEXT) {
      throw new KmsException(ErrorCode.PAYLOAD_TOO_LARGE, "plaintext must be at most 65536 bytes");
    }
    return seal(tenant, ringByName(tenant, keyName), plaintext, EncryptionContext.of(context));
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
    return generateDataKey(
        caller, tenant, keyName, bytes, context, includePlaintext, CryptoService::randomBytes);
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

  private DataKey generateDataKey(
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
    Encrypted e = seal(tenant, ring, dataKey, ctx);
    if (!includePlaintext) {
      Arrays.fill(dataKey, (byte) 0);
    }
    return new DataKey(e.ciphertext(), includePlaintext ? dataKey : null, e.key(), e.keyVersion());
  }

  /**
   * Decrypts a blob made for this tenant with the same context.
   *
   * @throws KmsException INVALID_CIPHERTEXT for a malformed, tampered or foreign blob or a wrong
   *     context; FAILED_PRECONDITION for a disabled key or version or one below the floor
   */
  public Decrypted decrypt(
      Caller caller, String tenant, byte[] ciphertext, Map<String, String> context) {
    Access.require(caller, tenant, Access.tenantMissing(tenant), "decrypt", Role.KEY_USER);
    return open(tenant, ciphertext, EncryptionContext.of(context));
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
    Access.require(caller, tenant, Access.tenantMissing(tenant), "re-encrypt", Role.KEY_USER);
    EncryptionContext source = EncryptionContext.of(context);
    EncryptionContext dest =
        destinationContext == null ? source : EncryptionContext.of(destinationContext);
    Decrypted d = open(tenant, ciphertext, source);
    try {
      KeyRing target = ringByName(tenant, destinationKey == null ? d.key() : destinationKey);
      Encrypted e = seal(tenant, target, d.plaintext(), dest);
      return new ReEncrypted(e.ciphertext(), e.key(), e.keyVersion(), d.key(), d.keyVersion());
    } finally {
      Arrays.fill(d.plaintext(), (byte) 0);
    }
  }

  /** The outcome of one batch item: a result or an error, never both. */
  public record BatchOutcome(Object result, KmsException error) {}

  /**
   * Runs up to 1000 items in order; each yields its own result or error.
   *
   * @throws KmsException INVALID_ARGUMENT for an empty or oversized batch, NOT_FOUND for a foreign
   *     tenant, PERMISSION_DENIED without the key-user role
   */
  public List<BatchOutcome> batch(Caller caller, String tenant, List<BatchItem> items) {
    Access.require(caller, tenant, Access.tenantMissing(tenant), "batch", Role.KEY_USER);
    if (items == null || items.isEmpty() || items.size() > MAX_BATCH) {
      throw KmsException.invalidArgument("items must hold 1 to 1000 entries");
    }
    List<BatchOutcome> out = new ArrayList<>(items.size());
    int dataKeys = 0;
    for (BatchItem item : items) {
      if (item instanceof BatchItem.GenerateDataKey) {
        dataKeys++;
      }
    }
    // one HSM session for the batch's HSM items rather than a turn in the queue for each
    KeyCustodian.Scope kept = custodians.keepResources();
    try (KeyBytes keyBytes = new KeyBytes(dataKeys * DEFAULT_DATA_KEY)) {
      for (BatchItem item : items) {
        out.add(batchItem(caller, tenant, item, keyBytes));
      }
    } finally {
      kept.close();
    }
    return out;
  }

  private BatchOutcome batchItem(Caller caller, String tenant, BatchItem item, KeyBytes keyBytes) {
    try {
      Object r =
          switch (item) {
            case BatchItem.Encrypt e ->
                encrypt(caller, tenant, e.keyName(), e.plaintext(), e.context());
            case BatchItem.GenerateDataKey g ->
                generateDataKey(
                    caller,
                    tenant,
                    g.keyName(),
                    g.bytes(),
                    g.context(),
                    g.includePlaintext(),
                    keyBytes::next);
            case BatchItem.Decrypt d -> decrypt(caller, tenant, d.ciphertext(), d.context());
            case BatchItem.ReEncrypt r2 ->
                reEncrypt(
                    caller,
                    tenant,
                    r2.ciphertext(),
                    r2.context(),
                    r2.destinationKey(),
                    r2.destinationContext());
          };
      return new BatchOutcome(r, null);
    } catch (KmsException e) {
      return new BatchOutcome(null, e);
    }
  }

  private KeyRing ringByName(String tenant, String keyName) {
    if (keyName == null) {
      throw KmsException.invalidArgument("key is required");
    }
    return keys.byName(tenant, keyName)
        .orElseThrow(() -> KmsException.notFound(Access.keyMissing(tenant, keyName)));
  }

  private Encrypted seal(String tenant, KeyRing ring, byte[] plaintext, EncryptionContext ctx) {
    KeyVersion v;
    try {
      v = ring.encryptVersion();
    } catch (KmsException e) {
      throw e.about(ring.key().name(), ring.key().primaryVersion());
    }
    String keyId = ring.key().id();
    byte[] aad = CiphertextBlob.aadFor(tenant, keyId, v.number(), v.protection(), ctx);
    try {
      byte[] payload =
          custodians
              .forLevel(v.protection())
              .encrypt(new VersionRef(tenant, keyId, v.number()), v.material(), plaintext, aad);
      byte[] blob = CiphertextBlob.of(keyId, v.number(), v.protection(), payload).toBytes();
      return new Encrypted(blob, ring.key().name(), v.number());
    } catch (GeneralSecurityException e) {
      throw new KmsException(ErrorCode.INTERNAL, "the custodian failed to encrypt", e);
    }
  }

  private Decrypted open(String tenant, byte[] ciphertext, EncryptionContext ctx) {
    if (ciphertext == null) {
      throw KmsException.invalidArgument("ciphertext is required");
    }
    CiphertextBlob blob = CiphertextBlob.parse(ciphertext);
    KeyRing ring = keys.byId(tenant, blob.keyIdHex()).orElseThrow(KmsException::invalidCiphertext);
    try {
      return open(tenant, ring, blob, ctx);
    } catch (KmsException e) {
      throw e.about(ring.key().name(), blob.version());
    }
  }

  private Decrypted open(String tenant, KeyRing ring, CiphertextBlob blob, EncryptionContext ctx) {
    KeyVersion v = ring.decryptVersion(blob.version());
    if (v.protection() != blob.protection()) {
      throw KmsException.invalidCiphertext();
    }
    try {
      byte[] plaintext =
          custodians
              .forLevel(v.protection())
              .decrypt(
                  new VersionRef(tenant, ring.key().id(), v.number()),
                  v.material(),
                  blob.payload(),
                  blob.aad(tenant, ctx));
      return new Decrypted(plaintext, ring.key().name(), v.number());
    } catch (GeneralSecurityException e) {
      throw KmsException.invalidCiphertext();
    }
  }
}
