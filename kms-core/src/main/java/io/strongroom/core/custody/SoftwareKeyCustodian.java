package io.strongroom.core.custody;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.crypto.tink.Aead;
import io.strongroom.core.Blocking;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.crypto.KeyMaterial;
import io.strongroom.core.crypto.XAesGcm;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;

/**
 * Protection level SOFTWARE: 256-bit random material per version, stored only wrapped by the {@link
 * RootKey} (bound to tenant, key id and version), and cached unwrapped for a bounded time in {@link
 * KeyMaterial} holders that are zeroed on eviction. Payloads are XAES-256-GCM.
 */
public final class SoftwareKeyCustodian implements KeyCustodian {
  /**
   * The label of the additional data that binds wrapped material to its version: material is
   * wrapped with {@code ref.bindingAad(MATERIAL_LABEL)} (also used to move it to another root key).
   */
  public static final String MATERIAL_LABEL = "strongroom/software-material/v1";

  private final RootKey root;
  private final SecureRandom random = new SecureRandom();
  private final Cache<VersionRef, KeyMaterial> cache;

  /**
   * @param ttl how long unwrapped material stays in memory after it was unwrapped
   * @param maxEntries bound on cached versions
   */
  public SoftwareKeyCustodian(RootKey root, Duration ttl, long maxEntries) {
    this.root = root;
    this.cache =
        Caffeine.newBuilder()
            .expireAfterWrite(ttl)
            .maximumSize(maxEntries)
            .recordStats()
            .removalListener(
                (VersionRef k,
                    KeyMaterial m,
                    com.github.benmanes.caffeine.cache.RemovalCause c) -> {
                  if (m != null) {
                    m.destroy();
                  }
                })
            .build();
  }

  /** The cache of unwrapped material, for metrics. */
  public Cache<VersionRef, KeyMaterial> cache() {
    return cache;
  }

  @Override
  public ProtectionLevel protection() {
    return ProtectionLevel.SOFTWARE;
  }

  @Override
  public byte[] createVersion(VersionRef ref) throws GeneralSecurityException {
    byte[] material = new byte[XAesGcm.KEY_BYTES];
    random.nextBytes(material);
    try {
      return root.wrap(material, ref.bindingAad(MATERIAL_LABEL));
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  @Override
  public byte[] encrypt(VersionRef ref, byte[] stored, byte[] plaintext, byte[] aad)
      throws GeneralSecurityException {
    return aead(ref, stored).encrypt(plaintext, aad);
  }

  @Override
  public byte[] decrypt(VersionRef ref, byte[] stored, byte[] payload, byte[] aad)
      throws GeneralSecurityException {
    if (payload.length < XAesGcm.OVERHEAD) {
      throw new GeneralSecurityException("payload too short");
    }
    return aead(ref, stored).decrypt(payload, aad);
  }

  @Override
  public void destroyVersion(VersionRef ref, byte[] stored) {
    // The stored form is the only persistent copy; the key store drops it. Forget the cached one.
    cache.invalidate(ref);
  }

  @Override
  public void checkHealth() throws GeneralSecurityException {
    root.checkHealth();
  }

  /**
   * The primitive for a version, unwrapping its material at most once per cache lifetime (the cache
   * computes each entry atomically). A holder may be zeroed by eviction between the load and this
   * use: a small cache under load evicts at any time, on another thread, so looking up again can
   * lose the same race again. Then the material is unwrapped for this call alone: the primitive is
   * taken and the holder zeroed at once (the primitive, once obtained, stays usable).
   */
  private Aead aead(VersionRef ref, byte[] stored) throws GeneralSecurityException {
    KeyMaterial m;
    try {
      m = Blocking.get(cache, ref, r -> unwrap(r, stored));
    } catch (UncheckedSecurityException e) {
      throw e.getCause();
    }
    Aead a = m.aeadIfLive();
    if (a != null) {
      return a;
    }
    KeyMaterial own;
    try {
      own = unwrap(ref, stored);
    } catch (UncheckedSecurityException e) {
      throw e.getCause();
    }
    try {
      return own.aead();
    } finally {
      own.destroy();
    }
  }

  private KeyMaterial unwrap(VersionRef ref, byte[] stored) {
    Blocking.check(); // the root key may be in an HSM
    try {
      return new KeyMaterial(root.unwrap(stored, ref.bindingAad(MATERIAL_LABEL)));
    } catch (GeneralSecurityException e) {
      throw new UncheckedSecurityException(e);
    }
  }

  /** Carries a checked failure out of the cache's loader. */
  private static final class UncheckedSecurityException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UncheckedSecurityException(GeneralSecurityException cause) {
      super(cause.getMessage(), cause, false, false);
    }

    @Override
    public synchronized GeneralSecurityException getCause() {
      return (GeneralSecurityException) super.getCause();
    }
  }
}
